using System.Numerics.Tensors;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public sealed class PromptGemmTests : IDisposable
{
    static readonly int[] _prompt = Enumerable.Range(0, 150).Select(i => 1 + (i * 37) % 500).ToArray();
    readonly ITestOutputHelper _output;
    readonly (bool Bf16, bool Float32) _saved = (PromptGemm.UseBf16, PromptGemm.UseFloat32);

    // The GEMM paths run here on any CPU (by default bf16 only where bf16 products are native, float32 only without AVX-512).
    public PromptGemmTests(ITestOutputHelper output)
    {
        _output = output;
        PromptGemm.UseBf16 = PromptGemm.UseFloat32 = true;
    }

    public void Dispose() => (PromptGemm.UseBf16, PromptGemm.UseFloat32) = _saved;

    [Fact]
    public void A_float32_prompt_through_the_GEMM_matches_the_TorchSharp_forward_and_the_engine_kernels()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var reference = CpuLlamaTests.TorchLogits(model, _prompt)[^512..];
        var gemm = PrefillLogits(model, maxTokens: 512);
        var chunked = PrefillLogits(model, maxTokens: 64);
        PromptGemm.UseFloat32 = false;
        var kernels = PrefillLogits(model, maxTokens: 512);
        float gemmError = CpuLlamaTests.MaxAbsDiff(gemm, reference), kernelError = CpuLlamaTests.MaxAbsDiff(kernels, reference);
        _output.WriteLine($"max |Δ| vs TorchSharp float32: GEMM {gemmError}, engine kernels {kernelError}, chunks of 64 {CpuLlamaTests.MaxAbsDiff(chunked, reference)}");
        Assert.True(gemmError < 1e-4f, $"GEMM max |Δ| = {gemmError}");
        Assert.True(kernelError < 1e-4f, $"kernels max |Δ| = {kernelError}");
        Assert.True(CpuLlamaTests.MaxAbsDiff(chunked, reference) < 1e-4f, "chunks of 64 through the GEMM");
        Assert.True(CpuLlamaTests.MaxAbsDiff(gemm, kernels) > 0, "with the GEMM on and off the prompt ran the same code");
        Assert.Equal(TensorPrimitives.IndexOfMax(reference), TensorPrimitives.IndexOfMax(gemm));
    }

    [Fact]
    public void The_GEMM_takes_prompt_chunks_of_float32_or_bf16_weights_from_MinTokens_on()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var engine = new CpuLlama(model);
        var q = engine.Layers[0].Q;
        Assert.True(PromptGemm.Applies(q, PromptGemm.MinTokens));
        Assert.False(PromptGemm.Applies(q, PromptGemm.MinTokens - 1));
        PromptGemm.UseFloat32 = false;
        Assert.False(PromptGemm.Applies(q, 512));
        Assert.Same(model.named_parameters().First(p => p.name == "model.layers.0.self_attn.q_proj.weight").parameter, PromptGemm.Weight(q));
        // Copies (int8, bf16-copy) hold no tensor: the engine's kernels run their prompts.
        var int8 = new CpuLlama(model, CpuWeightFormat.Int8);
        PromptGemm.UseFloat32 = PromptGemm.UseBf16 = true;
        Assert.False(PromptGemm.Applies(int8.Layers[0].Q, 512));
        Assert.Throws<ArgumentException>(() => PromptGemm.Weight(int8.Layers[0].Q));
    }

    [Fact]
    public void With_the_GEMM_off_a_bf16_prompt_runs_the_engine_kernels_on_the_same_rounded_inputs()
    {
        using var bf16 = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"), dtype: ScalarType.BFloat16);
        var gemm = PrefillLogits(bf16, maxTokens: 512);
        PromptGemm.UseBf16 = false;
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
        // Chunks under PromptGemm.MinTokens run the engine's own kernels, whose rows do not depend on the chunk:
        // the same bits as one token at a time (those kernels are checked against TorchSharp in CpuLlamaTests).
        var small = PrefillLogits(bf16, maxTokens: PromptGemm.MinTokens - 1);
        Assert.Equal(PrefillLogits(bf16, maxTokens: 1), small);
        Assert.True(CpuLlamaTests.MaxAbsDiff(small, whole) > 1e-4f, "the short chunks took the bf16 GEMM");
    }
}
