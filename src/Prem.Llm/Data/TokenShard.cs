using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Prem.Llm.Data;

/// <summary>
/// Writes and reads the two files of a shard. The token file is the documents' tokens back to back,
/// little-endian <see cref="TokenDType"/>, no header (so it memory-maps as a flat array, like nanoGPT's
/// <c>train.bin</c>). The index file is the 8 ASCII bytes <c>PREMIDX1</c>, an int64 document count n,
/// then n + 1 int64 token offsets: document i spans tokens [offset[i], offset[i+1]).
/// Files are written under a temporary name and renamed, so a crash never leaves a half shard.
/// </summary>
internal static class TokenShard
{
    private static ReadOnlySpan<byte> Magic => "PREMIDX1"u8;

    /// <summary>Writes <paramref name="documents"/> as shard <paramref name="name"/> in <paramref name="folder"/>.</summary>
    /// <returns>The manifest entry, with sizes and checksums.</returns>
    public static ShardInfo Write(string folder, string name, string split, long chunk, TokenDType dtype, IReadOnlyList<int[]> documents)
    {
        long tokens = 0;
        foreach (var d in documents) tokens += d.Length;
        int size = dtype.Size();
        var data = new byte[checked(tokens * size)];
        var index = new byte[checked(16 + 8 * (documents.Count + 1))];
        Magic.CopyTo(index);
        BinaryPrimitives.WriteInt64LittleEndian(index.AsSpan(8), documents.Count);
        long at = 0;
        for (int i = 0; i < documents.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(index.AsSpan(16 + 8 * i), at);
            foreach (int t in documents[i])
            {
                if (size == 2) BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan((int)(at * 2)), checked((ushort)t));
                else BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(checked((int)(at * 4))), (uint)t);
                at++;
            }
        }
        BinaryPrimitives.WriteInt64LittleEndian(index.AsSpan(16 + 8 * documents.Count), at);

        var file = name + ".bin";
        var indexFile = name + ".idx";
        WriteAtomically(Path.Combine(folder, file), data);
        WriteAtomically(Path.Combine(folder, indexFile), index);
        return new ShardInfo
        {
            Split = split, Chunk = chunk, File = file, IndexFile = indexFile,
            Documents = documents.Count, Tokens = tokens,
            Bytes = data.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(data)),
            IndexBytes = index.Length, IndexSha256 = Convert.ToHexStringLower(SHA256.HashData(index)),
        };
    }

    /// <summary>Reads an index file: the n + 1 document offsets.</summary>
    /// <exception cref="DataFormatException">The file is not a valid index.</exception>
    public static long[] ReadIndex(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 24 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new DataFormatException("not a shard index (bad magic or too short)", path);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        if (n < 0 || 16 + 8 * (n + 1) != bytes.Length)
            throw new DataFormatException($"index declares {n} documents but has {bytes.Length} bytes", path);
        var offsets = new long[n + 1];
        for (long i = 0; i <= n; i++)
        {
            offsets[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)(16 + 8 * i)));
            if (i > 0 && offsets[i] < offsets[i - 1])
                throw new DataFormatException($"index offsets decrease at document {i}", path);
        }
        if (offsets[0] != 0) throw new DataFormatException("index does not start at token 0", path);
        return offsets;
    }

    /// <summary>Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, then renames it into place.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(bytes);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
