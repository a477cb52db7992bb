using TorchSharp;
using Prem.Llm.Attention;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Modeling;

public class LlamaModelTests
{
    public static TheoryData<string> Backends => new() { "eager", "sdpa" };

    [Theory, MemberData(nameof(Backends))]
    public void Packed_row_equals_each_document_run_alone(string backend)
    {
        // tiny-gqa's logits are O(1), so 1e-5 is a float32-rounding bound; stories260K's reach ±20.
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory, backend: AttentionBackends.Create(backend));
        using var noGrad = no_grad();
        int[][] docs = [[1, 403, 407, 261, 378], [1, 284, 400, 261, 341, 273, 375, 412], [1, 300, 350]];
        var packed = tensor(docs.SelectMany(d => d).Select(x => (long)x).ToArray()).unsqueeze(0);
        var documentIds = PackedSequence.DocumentIdsFromLengths([docs.Select(d => d.Length).ToArray()], (int)packed.shape[1]);
        var logits = model.Forward(packed, documentIds: documentIds);
        int at = 0;
        foreach (var doc in docs)
        {
            var alone = model.forward(tensor(doc.Select(x => (long)x).ToArray()).unsqueeze(0))[0];
            var part = logits[0].narrow(0, at, doc.Length);
            double diff = part.sub(alone).abs().max().item<float>();
            Assert.True(diff <= 1e-5, $"document at {at}: max |Δ| = {diff}");
            at += doc.Length;
        }
    }

    [Fact]
    public void Layers_is_one_stored_list_of_the_registered_layers()
    {
        using var model = new LlamaForCausalLM(LlamaForCausalLMTests.TinyConfig(), dtype: ScalarType.Float32, seed: 1);
        var layers = model.Model.Layers;
        Assert.Same(layers, model.Model.Layers);
        Assert.Equal(model.Config.NumHiddenLayers, layers.Count);
        Assert.False(layers is IList<LlamaDecoderLayer> { IsReadOnly: false });
        model.to(ScalarType.BFloat16);
        Assert.Same(layers, model.Model.Layers);
        Assert.All(layers, l => Assert.Contains(model.Model.modules(), m => ReferenceEquals(m, l)));
    }

    [Fact]
    public void Packed_positions_restart_at_each_document()
    {
        var ids = PackedSequence.DocumentIdsFromLengths([[2, 3], [5]], 5);
        Assert.Equal(new long[] { 0, 0, 1, 1, 1, 0, 0, 0, 0, 0 }, ids.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, 0, 1, 2, 0, 1, 2, 3, 4 }, PackedSequence.Positions(ids).data<long>().ToArray());
        Assert.Throws<ArgumentException>(() => PackedSequence.DocumentIdsFromLengths([[2, 2]], 5));
        Assert.Throws<ArgumentException>(() => PackedSequence.DocumentIdsFromLengths([[0, 5]], 5));
    }

    [Theory, MemberData(nameof(Backends))]
    public void Prefill_then_decode_with_cache_equals_one_full_forward(string backend)
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"), backend: AttentionBackends.Create(backend));
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 1, 403, 407, 261, 378, 284, 400, 261, 341 }).unsqueeze(0);
        var full = model.forward(ids);
        using var cache = model.CreateCache(1, 16);
        var first = model.Forward(ids.narrow(1, 0, 5), cache: cache);
        var rest = Enumerable.Range(5, 4).Select(t => model.Forward(ids.narrow(1, t, 1), cache: cache)).ToList();
        var stepped = cat([first, .. rest], 1);
        Assert.Equal(9, cache.Length);
        Assert.True(stepped.allclose(full, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Left_padded_rows_with_cache_equal_each_row_alone()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        using var noGrad = no_grad();
        long[] a = [1, 403, 407, 261, 378], b = [1, 284];
        var ids = tensor(new long[] { 1, 403, 407, 261, 378, 0, 0, 0, 1, 284 }, [2, 5]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 0, 0, 0, 1, 1 }, [2, 5]);
        using var cache = model.CreateCache(2, 8);
        var prefill = model.Forward(ids, attentionMask: mask, cache: cache);
        var next = model.Forward(tensor(new long[] { 300, 301 }, [2, 1]), cache: cache);
        var aloneA = model.forward(tensor([.. a, 300L]).unsqueeze(0))[0];
        var aloneB = model.forward(tensor([.. b, 301L]).unsqueeze(0))[0];
        Assert.True(prefill[0].allclose(aloneA.narrow(0, 0, 5), rtol: 1e-4, atol: 1e-4));
        Assert.True(prefill[1].narrow(0, 3, 2).allclose(aloneB.narrow(0, 0, 2), rtol: 1e-4, atol: 1e-4));
        Assert.True(next[0, 0].allclose(aloneA[5], rtol: 1e-4, atol: 1e-4));
        Assert.True(next[1, 0].allclose(aloneB[2], rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        using var model = new LlamaForCausalLM(LlamaForCausalLMTests.TinyConfig());
        Assert.Contains("inputIds", Assert.Throws<ArgumentException>(() => model.forward(zeros(3, ScalarType.Int64))).Message);
        using var cache = model.CreateCache(2, 4);
        Assert.Contains("cache", Assert.Throws<ArgumentException>(() => model.Forward(zeros(1, 2, ScalarType.Int64), cache: cache)).Message);
        model.Forward(zeros(2, 4, ScalarType.Int64), cache: cache);
        Assert.Contains("full", Assert.Throws<InvalidOperationException>(() => model.Forward(zeros(2, 1, ScalarType.Int64), cache: cache)).Message);
    }
}
