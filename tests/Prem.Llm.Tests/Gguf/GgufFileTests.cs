using System.Buffers.Binary;
using Prem.Llm.Gguf;

namespace Prem.Llm.Tests.Gguf;

public sealed class GgufFileTests
{
    [Fact]
    public void ReadsBackWhatTheWriterWrote()
    {
        using var f = GgufFile.Open(GgufTestFiles.Save(GgufTestFiles.Small()));
        Assert.Equal(3u, f.Version);
        Assert.Equal("llama", f.Metadata["general.architecture"].Value);
        Assert.Equal(2u, f.Metadata["llama.block_count"].Value);
        Assert.Equal(-5, f.Metadata["test.int"].Value);
        Assert.Equal(0.25f, f.Metadata["test.float"].Value);
        Assert.Equal(true, f.Metadata["test.bool"].Value);
        Assert.Equal(["a", "b", "ü"], (string[])f.Metadata["tokenizer.ggml.tokens"].Value);
        Assert.Equal([1, 1, 3], (int[])f.Metadata["tokenizer.ggml.token_type"].Value);
        Assert.Equal(["f32", "f16", "bf16", "q8"], f.Tensors.Select(t => t.Name));
        Assert.Equal(0, f.DataOffset % 32);
        Assert.All(f.Tensors, t => Assert.Equal(0, t.Offset % 32));
        Assert.Equal([3L, 2], f.Find("f32")!.Dims);
        Assert.Equal([2L, 3], f.Find("f32")!.TorchShape);
        Assert.Equal(GgufTestFiles.Values(6), f.ReadFloats(f.Find("f32")!));
        Assert.Equal(GgufTestFiles.Values(5), f.ReadFloats(f.Find("f16")!));
        Assert.Equal(GgufTestFiles.Values(4), f.ReadFloats(f.Find("bf16")!));
        var q8 = f.ReadFloats(f.Find("q8")!);
        Assert.All(q8.Zip(GgufTestFiles.Values(64)), p => Assert.True(Math.Abs(p.First - p.Second) < 0.13));
    }

    [Fact]
    public void FileEndsOnAnAlignedTensorEnd_AsGgmlReadsIt()
    {
        var bytes = GgufTestFiles.Small();
        using var f = GgufFile.Open(GgufTestFiles.Save(bytes));
        var last = f.Tensors[^1];
        Assert.Equal(f.DataOffset + (last.Offset + last.ByteSize + 31) / 32 * 32, bytes.Length);
    }

    [Fact]
    public void NonDefaultAlignment_IsWrittenAndHonoured()
    {
        using var f = GgufFile.Open(GgufTestFiles.Save(GgufTestFiles.Small(alignment: 64)));
        Assert.Equal(64u, f.Alignment);
        Assert.Equal(64u, f.Metadata["general.alignment"].Value);
        Assert.All(f.Tensors, t => Assert.Equal(0, t.Offset % 64));
        Assert.Equal(GgufTestFiles.Values(6), f.ReadFloats(f.Find("f32")!));
    }

    static GgufFormatException Refused(byte[] bytes)
    {
        string path = GgufTestFiles.Save(bytes);
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(path).Dispose());
        Assert.Contains(path, e.Message);
        return e;
    }

    [Fact]
    public void BadMagic_IsRefused() => Assert.Contains("not a GGUF file", Refused([.. "GGUX"u8, 3, 0, 0, 0, .. new byte[16]]).Message);

    [Fact]
    public void BigEndianFile_IsNamed()
    {
        var bytes = GgufTestFiles.Small();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), 3);
        Assert.Contains("big-endian", Refused(bytes).Message);
    }

    [Fact]
    public void UnsupportedVersion_IsRefused()
    {
        var bytes = GgufTestFiles.Small();
        bytes[4] = 1;
        Assert.Contains("version 1", Refused(bytes).Message);
    }

    [Fact]
    public void EveryTruncation_IsRefusedNotCrashed()
    {
        var bytes = GgufTestFiles.Small();
        using var full = GgufFile.Open(GgufTestFiles.Save(bytes));
        // Up to the last data byte (the last tensor's padding may be missing: the reader needs only the data).
        long end = full.DataOffset + full.Tensors[^1].Offset + full.Tensors[^1].ByteSize;
        for (int length = 0; length < end; length += 7)
        {
            string path = GgufTestFiles.Save(bytes[..length]);
            try
            {
                using var f = GgufFile.Open(path);
                foreach (var t in f.Tensors) f.ReadFloats(t);
                Assert.Fail($"a file cut at {length} of {bytes.Length} bytes was read");
            }
            catch (GgufFormatException e)
            {
                Assert.Contains(path, e.Message);
            }
        }
    }

    [Fact]
    public void HugeCounts_AreRefusedBeforeAllocating()
    {
        var bytes = GgufTestFiles.Small();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), ulong.MaxValue); // metadata_kv_count
        Assert.Contains("metadata_kv_count", Refused(bytes).Message);
        bytes = GgufTestFiles.Small();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), 1UL << 40); // tensor_count
        Assert.Contains("tensor_count", Refused(bytes).Message);
        bytes = GgufTestFiles.Small();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), 1UL << 50); // first key's length
        Assert.Contains("runs past the end", Refused(bytes).Message);
    }

    [Fact]
    public void HugeArray_IsRefusedNamingTheKey()
    {
        var bytes = GgufTestFiles.Small();
        int at = IndexOf(bytes, "tokenizer.ggml.tokens"u8) + "tokenizer.ggml.tokens".Length + 4 + 4; // after value type and element type
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 1UL << 60);
        var e = Refused(bytes);
        Assert.Equal("tokenizer.ggml.tokens", e.Field);
    }

    [Fact]
    public void UnknownTensorType_IsRefused_AndAKnownQuantIsNamedOnRead()
    {
        var bytes = GgufTestFiles.Small();
        int at = IndexOf(bytes, "f32"u8) + 3 + 4 + 16; // name, n_dims, 2 dims → type
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), 5);
        Assert.Contains("unknown ggml type id 5", Refused(bytes).Message);

        var w = new GgufWriter();
        w.AddString("general.architecture", "llama");
        w.AddTensor("k", [256], GgmlType.Q4_K);
        using var s = new MemoryStream();
        w.WriteHeader(s);
        w.WriteTensor(s, "k", sink => sink(new byte[144]));
        using var f = GgufFile.Open(GgufTestFiles.Save(s.ToArray()));
        var e = Assert.Throws<GgufFormatException>(() => f.ReadFloats(f.Tensors[0]));
        Assert.Contains("Q4_K", e.Message);
    }

    [Fact]
    public void MisalignedOrOutOfRangeOffsets_AreRefused()
    {
        var bytes = GgufTestFiles.Small();
        int at = IndexOf(bytes, "f16"u8) + 3 + 4 + 8 + 4; // name, n_dims, 1 dim, type → offset
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 33);
        Assert.Contains("not a multiple of the alignment", Refused(bytes).Message);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 1 << 20);
        Assert.Contains("runs past the end", Refused(bytes).Message);
    }

    [Fact]
    public void BadValues_AreRefusedNamingTheKey()
    {
        var bytes = GgufTestFiles.Small();
        int at = IndexOf(bytes, "test.bool"u8) + "test.bool".Length + 4;
        bytes[at] = 7;
        Assert.Equal("test.bool", Refused(bytes).Field);

        bytes = GgufTestFiles.Small();
        at = IndexOf(bytes, "ü"u8);
        bytes[at] = 0xFF;
        Assert.Equal("tokenizer.ggml.tokens", Refused(bytes).Field);

        bytes = GgufTestFiles.Small();
        at = IndexOf(bytes, "test.int"u8) + "test.int".Length;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), 77);
        Assert.Contains("unknown value type 77", Refused(bytes).Message);
    }

    [Fact]
    public void BadDims_AreRefused()
    {
        var bytes = GgufTestFiles.Small();
        int at = IndexOf(bytes, "f32"u8) + 3;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), 9);
        Assert.Contains("9 dims", Refused(bytes).Message);
        bytes = GgufTestFiles.Small();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at + 4), ulong.MaxValue / 2);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at + 12), 16);
        Assert.Contains("overflow", Refused(bytes).Message);
        bytes = GgufTestFiles.Small();
        at = IndexOf(bytes, "q8"u8) + 2 + 4;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 33);
        Assert.Contains("block size 32", Refused(bytes).Message);
    }

    [Fact]
    public void DuplicateKeyOrTensor_IsRefused()
    {
        var bytes = GgufTestFiles.Small();
        int at = IndexOf(bytes, "tokenizer.ggml.scores"u8);
        "tokenizer.ggml.tokens"u8.CopyTo(bytes.AsSpan(at));
        Assert.Equal("tokenizer.ggml.tokens", Refused(bytes).Field);
        bytes = GgufTestFiles.Small();
        at = IndexOf(bytes, "f16"u8);
        "f32"u8.CopyTo(bytes.AsSpan(at));
        Assert.Contains("appears twice", Refused(bytes).Message);
    }

    static int IndexOf(byte[] bytes, ReadOnlySpan<byte> what) => bytes.AsSpan().IndexOf(what);
}
