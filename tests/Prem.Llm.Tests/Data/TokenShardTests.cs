using System.Buffers.Binary;
using System.Security.Cryptography;
using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class TokenShardTests
{
    private static readonly int[][] _docs = [[65000, 1, 2], [3, 4], [5, 6, 7, 65535]];

    [Theory]
    [InlineData(TokenDType.UInt16)]
    [InlineData(TokenDType.UInt32)]
    public void Token_file_is_the_documents_little_endian_back_to_back(TokenDType dtype)
    {
        using var tmp = new TempFolder();
        var info = TokenShard.Write(tmp.Path, "train-000000", "train", 0, dtype, _docs);
        var bytes = File.ReadAllBytes(tmp.Sub("train-000000.bin"));
        int size = dtype == TokenDType.UInt16 ? 2 : 4;
        var read = Enumerable.Range(0, bytes.Length / size)
            .Select(i => size == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4 * i)))
            .ToArray();
        Assert.Equal(_docs.SelectMany(d => d), read);
        Assert.Equal(9, info.Tokens);
        Assert.Equal(3, info.Documents);
        Assert.Equal(bytes.Length, info.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), info.Sha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(tmp.Sub(info.IndexFile)))), info.IndexSha256);
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp"));
    }

    [Fact]
    public void Index_round_trips_document_offsets()
    {
        using var tmp = new TempFolder();
        var info = TokenShard.Write(tmp.Path, "s", "train", 0, TokenDType.UInt16, _docs);
        Assert.Equal([0L, 3, 5, 9], TokenShard.ReadIndex(tmp.Sub(info.IndexFile)));
        Assert.Equal(16 + 8 * 4, info.IndexBytes);
    }

    [Fact]
    public void Id_too_large_for_uint16_is_refused()
    {
        using var tmp = new TempFolder();
        Assert.Throws<OverflowException>(() => TokenShard.Write(tmp.Path, "s", "train", 0, TokenDType.UInt16, [[70000]]));
    }

    [Fact]
    public void Damaged_index_is_a_data_error()
    {
        using var tmp = new TempFolder();
        var info = TokenShard.Write(tmp.Path, "s", "train", 0, TokenDType.UInt16, _docs);
        var path = tmp.Sub(info.IndexFile);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^8]);
        Assert.Equal(path, Assert.Throws<DataFormatException>(() => TokenShard.ReadIndex(path)).FilePath);
        bytes[0] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        Assert.Throws<DataFormatException>(() => TokenShard.ReadIndex(path));
    }
}
