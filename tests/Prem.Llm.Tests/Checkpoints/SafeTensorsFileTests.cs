using System.Buffers.Binary;
using Prem.Llm.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Checkpoints;

public class SafeTensorsFileTests
{
    // Shapes as listed in the data READMEs (HF [out, in] for linear layers).
    private static readonly Dictionary<string, long[]> _storiesLayer = new()
    {
        ["input_layernorm.weight"] = [64],
        ["self_attn.q_proj.weight"] = [64, 64],
        ["self_attn.k_proj.weight"] = [32, 64],
        ["self_attn.v_proj.weight"] = [32, 64],
        ["self_attn.o_proj.weight"] = [64, 64],
        ["post_attention_layernorm.weight"] = [64],
        ["mlp.gate_proj.weight"] = [172, 64],
        ["mlp.up_proj.weight"] = [172, 64],
        ["mlp.down_proj.weight"] = [64, 172],
    };

    [Fact]
    public void Stories260K_HasTheReadmeTensorsAndShapes()
    {
        using var file = SafeTensorsFile.Open(CheckpointTestFiles.Stories260K);
        var expected = new Dictionary<string, long[]>
        {
            ["model.embed_tokens.weight"] = [512, 64],
            ["model.norm.weight"] = [64],
        };
        for (var layer = 0; layer < 5; layer++)
        {
            foreach (var (suffix, shape) in _storiesLayer)
            {
                expected[$"model.layers.{layer}.{suffix}"] = shape;
            }
        }
        Assert.Equal(expected.Count, file.Tensors.Count);
        foreach (var (name, shape) in expected)
        {
            Assert.Equal(shape, file.GetInfo(name).Shape);
            Assert.Equal(SafeTensorDType.F32, file.GetInfo(name).DType);
        }
        Assert.False(file.Contains("lm_head.weight")); // tied, as the README says
        Assert.Equal("pt", file.Metadata["format"]);
        // 260,032 parameters per the README, all float32.
        Assert.Equal(260_032L, file.Tensors.Sum(t => t.ElementCount));
    }

    [Fact]
    public void TinyGqa_HasTheReadmeTensorsAndShapes()
    {
        using var file = SafeTensorsFile.Open(CheckpointTestFiles.TinyGqa);
        Assert.Equal(21, file.Tensors.Count);
        Assert.Equal([512L, 64], file.GetInfo("lm_head.weight").Shape);
        Assert.Equal([512L, 64], file.GetInfo("model.embed_tokens.weight").Shape);
        Assert.Equal([16L, 64], file.GetInfo("model.layers.1.self_attn.k_proj.weight").Shape);
        Assert.Equal([64L, 172], file.GetInfo("model.layers.0.mlp.down_proj.weight").Shape);
        Assert.Equal([64L], file.GetInfo("model.norm.weight").Shape);
    }

    [Theory]
    [InlineData("stories260K", "model.layers.3.mlp.down_proj.weight")]
    [InlineData("stories260K", "model.embed_tokens.weight")]
    [InlineData("tiny-gqa", "model.layers.1.input_layernorm.weight")]
    [InlineData("tiny-gqa", "lm_head.weight")]
    public void Read_MatchesFloatsDecodedFromTheRawBytes(string folder, string name)
    {
        var path = Path.Combine(CheckpointTestFiles.DataDirectory, folder, "model.safetensors");
        var raw = File.ReadAllBytes(path);
        var (header, dataStart) = CheckpointTestFiles.ParseHeader(raw);
        var entry = header.RootElement.GetProperty(name);
        var begin = entry.GetProperty("data_offsets")[0].GetInt64();
        var count = (int)(entry.GetProperty("data_offsets")[1].GetInt64() - begin) / 4;

        using var file = SafeTensorsFile.Open(path);
        using var tensor = file.Read(name);
        Assert.Equal(ScalarType.Float32, tensor.dtype);
        var values = tensor.data<float>().ToArray();
        Assert.Equal(count, values.Length);
        for (var i = 0; i < count; i++)
        {
            var expected = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan((int)(dataStart + begin) + 4 * i));
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(values[i]));
        }
    }

    [Fact]
    public void Read_NormWeightsAreNearOne_AsTheTinyGqaReadmeSays()
    {
        using var file = SafeTensorsFile.Open(CheckpointTestFiles.TinyGqa);
        using var norm = file.Read("model.norm.weight");
        Assert.InRange(norm.mean().item<float>(), 0.8f, 1.2f);
    }

    [Fact]
    public void Read_ConvertsToTheRequestedDtype()
    {
        using var file = SafeTensorsFile.Open(CheckpointTestFiles.TinyGqa);
        using var f32 = file.Read("model.layers.0.self_attn.q_proj.weight");
        using var bf16 = file.Read("model.layers.0.self_attn.q_proj.weight", ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, bf16.dtype);
        using var expected = f32.to_type(ScalarType.BFloat16);
        Assert.Equal(CheckpointTestFiles.Bytes(expected), CheckpointTestFiles.Bytes(bf16));
    }

    [Fact]
    public void ReadInto_FillsAnExistingTensor_DirectlyOrThroughAConversion()
    {
        using var file = SafeTensorsFile.Open(CheckpointTestFiles.TinyGqa);
        using var expected = file.Read("model.layers.0.mlp.up_proj.weight");
        using var direct = torch.zeros(172, 64);
        file.ReadInto("model.layers.0.mlp.up_proj.weight", direct);
        Assert.Equal(CheckpointTestFiles.Bytes(expected), CheckpointTestFiles.Bytes(direct));

        using var transposed = torch.zeros(64, 172).t(); // non-contiguous view: goes through a staged copy
        file.ReadInto("model.layers.0.mlp.up_proj.weight", transposed);
        Assert.Equal(CheckpointTestFiles.Bytes(expected), CheckpointTestFiles.Bytes(transposed));

        using var wrongShape = torch.zeros(64, 172);
        Assert.Throws<ArgumentException>(() => file.ReadInto("model.layers.0.mlp.up_proj.weight", wrongShape));
    }

    [Fact]
    public void OpenAndReadAll_AllocateFarLessManagedMemoryThanTheFile()
    {
        // The data goes from disk straight into native tensor storage, never through a managed buffer.
        using (var warm = SafeTensorsFile.Open(CheckpointTestFiles.Stories260K))
        {
            using var _ = warm.Read("model.norm.weight");
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var file = SafeTensorsFile.Open(CheckpointTestFiles.Stories260K);
        foreach (var info in file.Tensors)
        {
            using var t = file.Read(info.Name);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 200_000, $"allocated {allocated} managed bytes for a 1,044,992-byte file");
    }

    [Fact]
    public void UnknownName_ThrowsKeyNotFound()
    {
        using var file = SafeTensorsFile.Open(CheckpointTestFiles.TinyGqa);
        Assert.Throws<KeyNotFoundException>(() => file.Read("model.layers.9.mlp.up_proj.weight"));
    }

    [Fact]
    public void Read_AfterDispose_Throws()
    {
        var file = SafeTensorsFile.Open(CheckpointTestFiles.TinyGqa);
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Read("model.norm.weight"));
    }

    [Fact]
    public void Read_FileTruncatedAfterOpen_ThrowsFormatExceptionNamingTheTensor()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        var path = Path.Combine(dir, "t.safetensors");
        File.Copy(CheckpointTestFiles.TinyGqa, path);
        using var file = SafeTensorsFile.Open(path);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.SetLength(stream.Length - 10);
        }
        var e = Assert.Throws<SafeTensorsFormatException>(() => file.Read("model.norm.weight"));
        Assert.Equal("model.norm.weight", e.TensorName);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Read_BoolBytesOtherThanZeroOrOne_AreRejected()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        var path = Path.Combine(dir, "b.safetensors");
        File.WriteAllBytes(path, CheckpointTestFiles.RawFile("""{"mask":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}""", [1, 0, 2]));
        using var file = SafeTensorsFile.Open(path);
        var e = Assert.Throws<SafeTensorsFormatException>(() => file.Read("mask"));
        Assert.Equal("mask", e.TensorName);

        File.WriteAllBytes(path + "2", CheckpointTestFiles.RawFile("""{"mask":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}""", [1, 0, 1]));
        using var good = SafeTensorsFile.Open(path + "2");
        using var mask = good.Read("mask");
        Assert.Equal([true, false, true], mask.data<bool>().ToArray());
    }

    [Fact]
    public void Read_AllSupportedDtypes_DecodeAsLittleEndian()
    {
        // One element each, bytes chosen by hand: 0x3F80 is bf16 1.0, 0x3C00 is f16 1.0.
        var cases = new (string DType, byte[] Bytes, ScalarType Type, double Value)[]
        {
            ("U8", [200], ScalarType.Byte, 200), ("I8", [0xFE], ScalarType.Int8, -2),
            ("I16", [0x00, 0x80], ScalarType.Int16, short.MinValue), ("I32", [1, 1, 0, 0], ScalarType.Int32, 257),
            ("I64", [0, 0, 0, 0, 1, 0, 0, 0], ScalarType.Int64, 4294967296), ("F16", [0x00, 0x3C], ScalarType.Float16, 1.0),
            ("BF16", [0x80, 0x3F], ScalarType.BFloat16, 1.0), ("F32", [0, 0, 0xC0, 0x3F], ScalarType.Float32, 1.5),
            ("F64", [0, 0, 0, 0, 0, 0, 0x04, 0x40], ScalarType.Float64, 2.5),
        };
        var dir = CheckpointTestFiles.NewTempDirectory();
        foreach (var (dtype, bytes, type, value) in cases)
        {
            var path = Path.Combine(dir, dtype + ".safetensors");
            File.WriteAllBytes(path, CheckpointTestFiles.RawFile(
                "{\"x\":{\"dtype\":\"" + dtype + "\",\"shape\":[],\"data_offsets\":[0," + bytes.Length + "]}}", bytes));
            using var file = SafeTensorsFile.Open(path);
            using var t = file.Read("x");
            Assert.Equal(type, t.dtype);
            Assert.Equal(0, t.dim());
            using var asDouble = t.to_type(ScalarType.Float64);
            Assert.Equal(value, asDouble.item<double>());
        }
    }

    [Fact]
    public void TryMapInto_maps_aligned_tensors_of_the_stored_dtype_and_refuses_the_rest()
    {
        string path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "mixed.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["a.bf16"] = arange(12, dtype: ScalarType.Float32).reshape(3, 4).to_type(ScalarType.BFloat16),
            ["b.u8"] = tensor(new byte[] { 1, 2, 3 }),
            ["c.f32"] = arange(6, dtype: ScalarType.Float32).reshape(2, 3).add(0.5),
            ["d.bool"] = tensor(new[] { true, false }),
        };
        SafeTensorsWriter.Write(path, tensors);
        using var file = SafeTensorsFile.Open(path);
        // Stored dtype, CPU, aligned: mapped, equal to what Read returns, and still writable (privately).
        using var bf16 = empty([3, 4], ScalarType.BFloat16);
        Assert.True(file.TryMapInto("a.bf16", bf16));
        using (var read = file.Read("a.bf16")) Assert.True(bf16.equal(read).all().item<bool>());
        bf16.add_(1);
        using (var again = SafeTensorsFile.Open(path)) using (var stored = again.Read("a.bf16")) Assert.Equal(0f, stored[0, 0].to_type(ScalarType.Float32).item<float>());
        // Another dtype or shape, or BOOL (checked on read): not mapped, unchanged.
        using var wide = zeros([3, 4], ScalarType.Float32);
        Assert.False(file.TryMapInto("a.bf16", wide));
        Assert.Equal(0f, wide.sum().item<float>());
        using var shaped = empty([4, 3], ScalarType.BFloat16);
        Assert.False(file.TryMapInto("a.bf16", shaped));
        using var flags = empty([2], ScalarType.Bool);
        Assert.False(file.TryMapInto("d.bool", flags));
        // A float32 tensor stored 3 bytes after an aligned offset (legal in the format): read instead of mapped.
        string odd = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "odd.safetensors");
        byte[] header = System.Text.Encoding.UTF8.GetBytes("""{"x":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"y":{"dtype":"F32","shape":[2],"data_offsets":[3,11]}}""");
        header = [.. header, .. Enumerable.Repeat((byte)' ', (8 - header.Length % 8) % 8)];
        var bytes = new List<byte>(BitConverter.GetBytes((ulong)header.Length));
        bytes.AddRange(header);
        bytes.AddRange(new byte[] { 7, 8, 9 });
        bytes.AddRange(BitConverter.GetBytes(0.5f));
        bytes.AddRange(BitConverter.GetBytes(1.5f));
        File.WriteAllBytes(odd, [.. bytes]);
        using var oddFile = SafeTensorsFile.Open(odd);
        using var f32 = empty([2], ScalarType.Float32);
        Assert.False(oddFile.TryMapInto("y", f32));
        oddFile.ReadInto("y", f32);
        Assert.Equal(new[] { 0.5f, 1.5f }, f32.data<float>().ToArray());
        // The aligned float32 tensor of the first file maps.
        using var c = empty([2, 3], ScalarType.Float32);
        Assert.True(file.TryMapInto("c.f32", c));
        Assert.Equal(new[] { 0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f }, c.data<float>().ToArray());
    }
}
