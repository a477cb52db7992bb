using System.Text.Json;
using Prem.Llm.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Checkpoints;

public class SafeTensorsCheckpointTests
{
    private static List<KeyValuePair<string, Tensor>> Model(int layers, Random random)
    {
        var list = new List<KeyValuePair<string, Tensor>> { new("model.embed_tokens.weight", CheckpointTestFiles.RandomBits([32, 8], ScalarType.Float32, random)) };
        for (var i = 0; i < layers; i++)
        {
            list.Add(new($"model.layers.{i}.mlp.up_proj.weight", CheckpointTestFiles.RandomBits([24, 8], ScalarType.Float32, random)));
            list.Add(new($"model.layers.{i}.input_layernorm.weight", CheckpointTestFiles.RandomBits([8], ScalarType.Float32, random)));
        }
        return list;
    }

    [Fact]
    public void Save_UnderTheLimit_WritesOneFileAndNoIndex()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        var tensors = Model(2, new Random(1));
        SafeTensorsCheckpoint.Save(dir, tensors);
        Assert.Equal(["model.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName));
        using var ckpt = SafeTensorsCheckpoint.Open(dir);
        Assert.Equal(tensors.Select(kv => kv.Key).Order(StringComparer.Ordinal), ckpt.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void Save_OverTheLimit_ShardsWithHfNamesAndIndex_AndReadsBackBitExact()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        var tensors = Model(3, new Random(2));
        // embed 1024 B, each layer 768 + 32 B. Limit 1100: [embed] [l0 up, l0 norm] [l1 …] [l2 …].
        SafeTensorsCheckpoint.Save(dir, tensors, maxShardBytes: 1100);

        var expectedFiles = new[]
        {
            "model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
            "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors", "model.safetensors.index.json",
        };
        Assert.Equal(expectedFiles, Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "model.safetensors.index.json")));
        Assert.Equal(1024 + 3 * 800, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        var map = index.RootElement.GetProperty("weight_map");
        Assert.Equal("model-00001-of-00004.safetensors", map.GetProperty("model.embed_tokens.weight").GetString());
        Assert.Equal("model-00003-of-00004.safetensors", map.GetProperty("model.layers.1.input_layernorm.weight").GetString());
        // HF writes the weight map sorted by name.
        var keys = map.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);

        using var ckpt = SafeTensorsCheckpoint.Open(dir);
        Assert.Equal(4, ckpt.Files.Count);
        foreach (var (name, original) in tensors)
        {
            using var back = ckpt.Read(name);
            Assert.Equal(CheckpointTestFiles.Bytes(original), CheckpointTestFiles.Bytes(back));
        }
    }

    [Fact]
    public void Save_ATensorLargerThanTheLimit_GetsAShardOfItsOwn()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        SafeTensorsCheckpoint.Save(dir, Model(1, new Random(3)), maxShardBytes: 100);
        using var ckpt = SafeTensorsCheckpoint.Open(dir);
        Assert.Equal(3, ckpt.Files.Count);
        Assert.All(ckpt.Files, f => Assert.Single(f.Tensors));
    }

    [Fact]
    public void Save_WithDtype_StoresBf16AndSizesShardsByTheStoredSize()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        using var a = torch.randn(16, 16);
        using var b = torch.randn(16, 16);
        // 512 bytes each in bf16: both fit in 1024, although in float32 they would not.
        SafeTensorsCheckpoint.Save(dir, [new("a", a), new("b", b)], maxShardBytes: 1024, dtype: ScalarType.BFloat16);
        using var ckpt = SafeTensorsCheckpoint.Open(dir);
        Assert.Single(ckpt.Files);
        Assert.Equal(SafeTensorDType.BF16, ckpt.GetInfo("a").DType);
    }

    [Fact]
    public void Save_RemovesTheFilesOfAnEarlierCheckpointOfAnotherForm()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        var tensors = Model(2, new Random(4));
        File.WriteAllText(Path.Combine(dir, "config.json"), "{}");
        SafeTensorsCheckpoint.Save(dir, tensors, maxShardBytes: 1100);
        SafeTensorsCheckpoint.Save(dir, tensors);
        Assert.Equal(["config.json", "model.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        SafeTensorsCheckpoint.Save(dir, tensors, maxShardBytes: 1100);
        Assert.DoesNotContain("model.safetensors", Directory.GetFiles(dir).Select(Path.GetFileName));
        Assert.Contains("config.json", Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Open_MissingShard_NamesTheIndexTheTensorAndTheShard()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        SafeTensorsCheckpoint.Save(dir, Model(2, new Random(5)), maxShardBytes: 1100);
        File.Delete(Path.Combine(dir, "model-00002-of-00003.safetensors"));
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsCheckpoint.Open(dir));
        Assert.EndsWith("model.safetensors.index.json", e.FilePath);
        Assert.Contains("model-00002-of-00003.safetensors", e.Message);
        Assert.StartsWith("model.layers.0.", e.TensorName);
    }

    [Fact]
    public void Open_IndexListingATensorItsShardLacks_IsRefused()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        using var x = torch.zeros(2);
        SafeTensorsWriter.Write(Path.Combine(dir, "model-00001-of-00001.safetensors"), [new("x", x)]);
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"),
            """{"metadata":{"total_size":8},"weight_map":{"x":"model-00001-of-00001.safetensors","y":"model-00001-of-00001.safetensors"}}""");
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsCheckpoint.Open(dir));
        Assert.Equal("y", e.TensorName);
    }

    [Fact]
    public void Open_MalformedShard_ReportsTheShardFile()
    {
        var dir = CheckpointTestFiles.NewTempDirectory();
        SafeTensorsCheckpoint.Save(dir, Model(2, new Random(6)), maxShardBytes: 1100);
        var shard = Path.Combine(dir, "model-00003-of-00003.safetensors");
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..^4]);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsCheckpoint.Open(dir));
        Assert.Equal(shard, e.FilePath);
    }

    [Fact]
    public void Open_EmptyOrMissingFolder_ThrowsNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => SafeTensorsCheckpoint.Open(CheckpointTestFiles.NewTempDirectory()));
        Assert.Throws<DirectoryNotFoundException>(() => SafeTensorsCheckpoint.Open(Path.Combine(CheckpointTestFiles.NewTempDirectory(), "nope")));
    }

    [Fact]
    public void Open_TheStories260KFolder_ReadsTheSingleFile()
    {
        using var ckpt = SafeTensorsCheckpoint.Open(Path.Combine(CheckpointTestFiles.DataDirectory, "stories260K"));
        Assert.Equal(47, ckpt.Tensors.Count);
        Assert.True(ckpt.Contains("model.layers.4.mlp.down_proj.weight"));
        using var t = ckpt.Read("model.layers.4.mlp.down_proj.weight", ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, t.dtype);
        Assert.Throws<KeyNotFoundException>(() => ckpt.Read("lm_head.weight"));
    }
}
