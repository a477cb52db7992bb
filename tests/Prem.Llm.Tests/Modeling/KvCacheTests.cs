using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Modeling;

public class KvCacheTests
{
    [Fact]
    public void Appends_in_order_and_tracks_padding()
    {
        var config = LlamaForCausalLMTests.TinyConfig();
        using var cache = new KvCache(config, 2, 6, ScalarType.Float32);
        var k1 = ones(2, 2, 3, 8);
        var (keys, values) = cache.Append(0, k1, k1.mul(2));
        Assert.Equal(new long[] { 2, 2, 3, 8 }, keys.shape);
        Assert.Null(cache.AppendMask(null, 3));
        cache.Advance(3);
        var mask = cache.AppendMask(tensor(new long[] { 1, 0 }, [2, 1]), 1)!;
        Assert.Equal(new[] { true, true, true, true, true, true, true, false }, mask.data<bool>().ToArray());
        var (keys2, values2) = cache.Append(0, full(2, 2, 1, 8, 5f), full(2, 2, 1, 8, 6f));
        Assert.Equal(4, keys2.shape[2]);
        Assert.Equal(5f, keys2[0, 0, 3, 0].item<float>());
        Assert.Equal(2f, values2[1, 1, 2, 7].item<float>());
        Assert.True(cache.HasPadding);
        cache.Reset();
        Assert.Equal(0, cache.Length);
        Assert.False(cache.HasPadding);
    }

    [Fact]
    public void Overflow_and_bad_sizes_are_errors()
    {
        var config = LlamaForCausalLMTests.TinyConfig();
        Assert.Throws<ArgumentOutOfRangeException>(() => new KvCache(config, 0, 4, ScalarType.Float32));
        using var cache = new KvCache(config, 1, 2, ScalarType.Float32);
        var e = Assert.Throws<InvalidOperationException>(() => cache.Append(0, ones(1, 2, 3, 8), ones(1, 2, 3, 8)));
        Assert.Contains("capacity of 2", e.Message);
    }
}
