using Prem.Llm.Checkpoints;

namespace Prem.Llm.Tests.Checkpoints;

/// <summary>Each rule of the format, broken once: the reader must refuse with a message naming file and tensor.</summary>
public class SafeTensorsHeaderTests
{
    private const string Good = """{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2,2],"data_offsets":[8,16]}}""";

    private static SafeTensorsFormatException Refuse(byte[] file)
    {
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "bad.safetensors");
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FilePath);
        return e;
    }

    private static SafeTensorsFormatException Refuse(string header, int dataBytes = 16) =>
        Refuse(CheckpointTestFiles.RawFile(header, new byte[dataBytes]));

    [Fact]
    public void TheGoodHeader_IsAccepted()
    {
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "good.safetensors");
        File.WriteAllBytes(path, CheckpointTestFiles.RawFile(Good + "   ", new byte[16]));
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(["a", "b"], file.Tensors.Select(t => t.Name));
        Assert.Equal(8 + Good.Length + 3 + 8, file.GetInfo("b").Offset);
    }

    [Fact]
    public void NullMetadata_AndEscapedStrings_MeanWhatJsonSays()
    {
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "esc.safetensors");
        File.WriteAllBytes(path, CheckpointTestFiles.RawFile(
            """{"__metadata__":null,"w\u00e9":{"dtype":"\u0046\u0033\u0032","shape":[1],"data_offsets":[0,4]}}""", new byte[4]));
        using var file = SafeTensorsFile.Open(path);
        Assert.Empty(file.Metadata);
        Assert.Equal(SafeTensorDType.F32, file.GetInfo("wé").DType);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void TooShortFile_IsRefused(int length) => Refuse(new byte[length]);

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 63)]
    [InlineData(100_000_001UL)]
    [InlineData(200UL)] // more than the file holds
    public void HeaderLength_IsCheckedBeforeAllocating(ulong claimed)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refuse(CheckpointTestFiles.RawFile(Good, new byte[16], claimed));
        Assert.Null(e.TensorName);
        Assert.Contains("header length", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
    }

    [Theory]
    [InlineData("[]", null)]
    [InlineData(" {}", null)]
    [InlineData("{", null)]
    [InlineData("{}x", null)]
    [InlineData("{\"a\":[1]}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4000]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", "a")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", "a")]
    [InlineData("{\"__metadata__\":{\"format\":1}}", "__metadata__")]
    [InlineData("{\"__metadata__\":[\"pt\"]}", "__metadata__")]
    [InlineData("{\"__metadata__\":{\"k\":\"v\",\"k\":\"w\"}}", "__metadata__")]
    [InlineData("{\"\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "")]
    public void MalformedHeader_IsRefused_NamingTheTensor(string header, string? tensor)
    {
        var e = Refuse(header);
        Assert.Equal(tensor, e.TensorName);
        if (tensor is { Length: > 0 })
        {
            Assert.Contains($"tensor '{tensor}'", e.Message);
        }
    }

    [Fact]
    public void OverlappingRanges_AreRefused()
    {
        var e = Refuse("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}}""");
        Assert.Equal("b", e.TensorName);
        Assert.Contains("overlap tensor 'a'", e.Message);
    }

    [Fact]
    public void AliasedRanges_AreRefused()
    {
        var e = Refuse("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8);
        Assert.Contains("overlap", e.Message);
    }

    [Fact]
    public void GapBetweenRanges_IsRefused()
    {
        var e = Refuse("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""");
        Assert.Equal("b", e.TensorName);
        Assert.Contains("belong to no tensor", e.Message);
    }

    [Fact]
    public void TrailingUncoveredData_IsRefused()
    {
        var e = Refuse("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12);
        Assert.Null(e.TensorName);
        Assert.Contains("last 4 bytes", e.Message);
    }

    [Fact]
    public void InvalidUtf8InAName_IsRefused()
    {
        var header = System.Text.Encoding.UTF8.GetBytes("""{"aX":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""");
        var i = Array.IndexOf(header, (byte)'X');
        header[i] = 0xC3; // a lead byte with no continuation byte
        var file = new byte[8 + header.Length + 8];
        BitConverter.TryWriteBytes(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        Refuse(file);
    }

    [Fact]
    public void DeeplyNestedJson_IsRefusedWithoutRecursion()
    {
        var header = "{\"a\":" + new string('[', 100_000) + new string(']', 100_000) + "}";
        Refuse(header);
    }

    [Fact]
    public void ZeroElementTensorsAndScalars_AreAccepted()
    {
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "z.safetensors");
        File.WriteAllBytes(path, CheckpointTestFiles.RawFile(
            """{"e":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]},"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"f":{"dtype":"F32","shape":[3,0],"data_offsets":[8,8]}}""",
            new byte[8]));
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(0, file.GetInfo("e").ElementCount);
        Assert.Equal(1, file.GetInfo("s").ElementCount);
        using var e = file.Read("e");
        Assert.Equal([0L, 5], e.shape);
    }

    [Theory]
    [InlineData("[0,4611686018427387904,4]")]
    [InlineData("[0,9223372036854775807,9223372036854775807]")]
    [InlineData("[2305843009213693952,0]")]
    public void ZeroElementShape_WithOverflowingStrides_IsRefused(string shape)
    {
        // Regression (fuzzer input 7155, seed 1; the first two shapes): the byte count is 0 and was accepted, then
        // libtorch threw ExternalException "Stride calculation overflowed" on Read.
        var e = Refuse("{\"a\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,0]}}", 0);
        Assert.Equal("a", e.TensorName);
        Assert.Contains("strides", e.Message);
    }

    [Fact]
    public void Rank64_IsReadable_AndRank65_IsRefused()
    {
        var ones64 = "[" + string.Join(",", Enumerable.Repeat(1, 64)) + "]";
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), "r.safetensors");
        File.WriteAllBytes(path, CheckpointTestFiles.RawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":" + ones64 + ",\"data_offsets\":[0,4]}}", new byte[4]));
        using (var file = SafeTensorsFile.Open(path))
        {
            using var t = file.Read("a");
            Assert.Equal(64, t.dim());
        }
        var ones65 = "[" + string.Join(",", Enumerable.Repeat(1, 65)) + "]";
        var e = Refuse("{\"a\":{\"dtype\":\"F32\",\"shape\":" + ones65 + ",\"data_offsets\":[0,4]}}", 4);
        Assert.Contains("more than 64 entries", e.Message);
    }
}
