using Prem.Llm.Checkpoints;

namespace Prem.Llm.Tests.Checkpoints;

public class SafeTensorsIndexTests
{
    private static string WriteIndex(string json)
    {
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), SafeTensorsIndex.FileName);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void WriteThenRead_RoundTrips()
    {
        var path = Path.Combine(CheckpointTestFiles.NewTempDirectory(), SafeTensorsIndex.FileName);
        var map = new Dictionary<string, string> { ["b"] = "model-00002-of-00002.safetensors", ["a"] = "model-00001-of-00002.safetensors" };
        new SafeTensorsIndex(12345, map).Write(path);
        var back = SafeTensorsIndex.Read(path);
        Assert.Equal(12345, back.TotalSize);
        Assert.Equal(map.OrderBy(kv => kv.Key), back.WeightMap.OrderBy(kv => kv.Key));
        Assert.StartsWith("{\n  \"metadata\": {\n    \"total_size\": 12345\n  },\n  \"weight_map\": {\n    \"a\"", File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Read_ToleratesExtraKeysAndFloatTotalSize()
    {
        var index = SafeTensorsIndex.Read(WriteIndex(
            """{"metadata":{"total_size":10.0,"format":{"deep":[1,2]}},"extra":[{}],"weight_map":{"a":"x.safetensors"}}"""));
        Assert.Equal(10, index.TotalSize);
        Assert.Equal("x.safetensors", index.WeightMap["a"]);
    }

    [Theory]
    [InlineData("../model-00001-of-00002.safetensors")]
    [InlineData("/etc/passwd.safetensors")]
    [InlineData("sub/model.safetensors")]
    [InlineData("..\\\\model.safetensors")]
    [InlineData("C:model.safetensors")]
    [InlineData("..")]
    [InlineData(".safetensors")]
    [InlineData("model.bin")]
    [InlineData(" model.safetensors")]
    [InlineData("model\\u0000.safetensors")]
    public void Read_ShardOutsideTheFolder_OrNotASafetensorsFile_IsRefused(string shard)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() =>
            SafeTensorsIndex.Read(WriteIndex("{\"weight_map\":{\"w\":\"" + shard + "\"}}")));
        Assert.Equal("w", e.TensorName);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"weight_map\":{}}")]
    [InlineData("{\"weight_map\":[]}")]
    [InlineData("{\"weight_map\":{\"w\":1}}")]
    [InlineData("{\"weight_map\":{\"w\":\"a.safetensors\",\"w\":\"b.safetensors\"}}")]
    [InlineData("{\"weight_map\":{\"w\":\"a.safetensors\"},\"weight_map\":{\"w\":\"a.safetensors\"}}")]
    [InlineData("{\"metadata\":{\"total_size\":-1},\"weight_map\":{\"w\":\"a.safetensors\"}}")]
    [InlineData("{\"weight_map\":{\"w\":\"a.safetensors\"}} x")]
    [InlineData("{\"weight_map\":{\"w\":\"a.safetensors\"}")]
    public void Read_MalformedIndex_IsRefused(string json)
    {
        var path = WriteIndex(json);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsIndex.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData("model-00001-of-00002.safetensors", true)]
    [InlineData("..safetensors", true)]
    [InlineData("a/b.safetensors", false)]
    [InlineData("", false)]
    public void IsSafeShardName_AcceptsOnlyPlainNames(string name, bool safe) =>
        Assert.Equal(safe, SafeTensorsIndex.IsSafeShardName(name));
}
