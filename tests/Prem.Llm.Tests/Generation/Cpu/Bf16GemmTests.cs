using System.Numerics.Tensors;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public sealed class Bf16GemmTests : IDisposable
{
    static readonly int[] _prompt = Enumerable.Range(0, 150).Select(i => 1 + (i * 37) % 500).ToArray();
    readonly ITestOutputHelper _output;
    readonly bool _saved = Bf16Gemm.Use;

    // The GEMM path runs here on any CPU (by default only where bf16 products are native).
    public Bf16GemmTests(ITestOutputHelper output)
    {
        _output = output;
        Bf16Gemm.Use = true;
    }

    public void Dispose() => Bf16Gemm.Use = _saved;

    [Fact]
    public void With_the_GEMM_off_a_bf16_prompt_runs_the_engine_kernels_on_the_same_rounded_inputs()
    {
        using var bf16 = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"), dtype: ScalarType.BFloat16);
        var gemm = PrefillLogits(bf16, maxTokens: 512);
        Bf16Gemm.Use = false;
        var kernels = PrefillLogits(bf16, maxTokens: 512);
        var reference = CpuLlamaTests.TorchLogitsWithBf16Inputs(bf16, _prompt)[^512..];
        float diff = CpuLlamaTests.MaxAbsDiff(kernels, reference);
        _output.WriteLine($"engine kernels vs float32 on bf16-rounded inputs: max |Δ| {diff}; vs the GEMM path {CpuLlamaTests.MaxAbsDiff(kernels, gemm)}");
        // 150 positions of float32 sums in another order than LibTorch's: 0.0105 measured (logits reach ±20; 7 tokens
        // stay within CpuLlamaTests.BF16Tolerance).
        Assert.True(diff < 0.02f, $"max |Δ| = {diff}");
        Assert.Equal(TensorPrimitives.IndexOfMax(reference), TensorPrimitives.IndexOfMax(kernels));
        Assert.True(CpuLlamaTests.MaxAbsDiff(kernels, gemm) > 1e-5f, "the prompt took the GEMM with it off");
    }

    // Last-position logits of a prefill through the engine (prompt chunks of maxTokens).
    static float[] PrefillLogits(LlamaForCausalLM model, int maxTokens)
    {
        var engine = new CpuLlama(model, maxTokens: maxTokens);
        var logits = new float[model.Config.VocabSize];
        engine.Prefill(_prompt, 0, 0, engine.CreateCache(1, _prompt.Length), logits);
        return logits;
    }

    [Fact]
    public void A_bf16_prompt_through_the_bf16_GEMM_is_as_close_to_float32_as_the_TorchSharp_bf16_forward()
    {
        using var bf16 = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"), dtype: ScalarType.BFloat16);
        using var widened = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        using (no_grad())
            foreach (var ((_, p), (_, q)) in widened.named_parameters().Zip(bf16.named_parameters()))
                p.copy_(q.to_type(ScalarType.Float32));
        // The reference: float32 arithmetic on the same (bf16-rounded) weights.
        var reference = CpuLlamaTests.TorchLogits(widened, _prompt)[^512..];
        var torchBf16 = CpuLlamaTests.TorchLogits(bf16, _prompt)[^512..];
        var gemm = PrefillLogits(bf16, maxTokens: 512);
        float engineError = CpuLlamaTests.MaxAbsDiff(gemm, reference), torchError = CpuLlamaTests.MaxAbsDiff(torchBf16, reference);
        _output.WriteLine($"max |Δ| vs float32 on the rounded weights: engine (bf16 GEMM prompt) {engineError}, TorchSharp bf16 forward {torchError}");
        Assert.True(engineError > 1e-4f, "the prompt did not take the bf16 GEMM (it matches float32 arithmetic)");
        Assert.True(engineError <= torchError, $"engine {engineError} vs TorchSharp bf16 {torchError}");
        Assert.Equal(TensorPrimitives.IndexOfMax(reference), TensorPrimitives.IndexOfMax(gemm));
    }

    [Fact]
    public void A_prompt_in_chunks_matches_one_chunk_and_short_chunks_run_the_engine_kernels()
    {
        using var bf16 = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"), dtype: ScalarType.BFloat16);
        var whole = PrefillLogits(bf16, maxTokens: 512);
        // 64 + 64 + 22 tokens: the later chunks attend to the cache through LibTorch with an offset causal mask.
        float chunked = CpuLlamaTests.MaxAbsDiff(PrefillLogits(bf16, maxTokens: 64), whole);
        _output.WriteLine($"chunks of 64 vs one chunk: max |Δ| {chunked}");
        Assert.True(chunked < 1e-3f, $"max |Δ| = {chunked}");
        // Chunks under Bf16Gemm.MinTokens run the engine's own kernels, whose rows do not depend on the chunk:
        // the same bits as one token at a time (those kernels are checked against TorchSharp in CpuLlamaTests).
        var small = PrefillLogits(bf16, maxTokens: Bf16Gemm.MinTokens - 1);
        Assert.Equal(PrefillLogits(bf16, maxTokens: 1), small);
        Assert.True(CpuLlamaTests.MaxAbsDiff(small, whole) > 1e-4f, "the short chunks took the bf16 GEMM");
    }
}
