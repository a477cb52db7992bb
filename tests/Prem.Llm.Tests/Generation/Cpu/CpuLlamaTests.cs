using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;
using Prem.Llm.Native;
using Prem.Llm.Testing;
using Prem.Llm.Tests.Modeling;
using Prem.Llm.Tests.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public class CpuLlamaTests : IClassFixture<ToolReport>
{
    const float Tolerance = 1e-4f;
    static readonly TinyGqaGolden _golden = TinyGqaGolden.Load();

    /// <summary>Logits [prompt length, vocab] of a causal pass over <paramref name="prompt"/> through the engine.</summary>
    internal static float[] EngineLogits(CpuLlama engine, int[] prompt)
    {
        int vocab = engine.Config.VocabSize;
        var cache = engine.CreateCache(1, prompt.Length);
        var logits = new float[prompt.Length * vocab];
        var positions = Enumerable.Range(0, prompt.Length).ToArray();
        engine.Forward(prompt, new int[prompt.Length], positions, cache, positions, logits);
        return logits;
    }

    internal static float[] TorchLogits(LlamaForCausalLM model, int[] prompt)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(prompt.Select(x => (long)x).ToArray(), [1, prompt.Length]);
        return model.Forward(ids).to_type(ScalarType.Float32).data<float>().ToArray();
    }

    internal static float MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        float worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        return worst;
    }

    [Fact]
    public void Tiny_gqa_logits_match_the_golden_logits_at_every_position()
    {
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        var engine = new CpuLlama(model);
        for (int p = 0; p < _golden.Prompts.Length; p++)
        {
            var expected = _golden.Logits[p].SelectMany(row => row).ToArray();
            float diff = MaxAbsDiff(EngineLogits(engine, _golden.Prompts[p]), expected);
            Assert.True(diff < Tolerance, $"prompt {p}: max |Δ| = {diff}");
        }
    }

    [SkippableTheory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(0)]
    public void Stories260K_logits_match_the_TorchSharp_forward_at_every_kernel_width(int bits)
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var prompt = Enumerable.Range(0, 150).Select(i => 1 + (i * 37) % 500).ToArray();
        using var width = new KernelWidth(bits);
        var engine = new CpuLlama(model, maxTokens: 64);
        var cache = engine.CreateCache(1, prompt.Length);
        // Prefill in chunks of 64 (3 calls), then compare every position of a full pass too.
        var last = new float[512];
        engine.Prefill(prompt, 0, 0, cache, last);
        var reference = TorchLogits(model, prompt);
        Assert.True(MaxAbsDiff(last, reference[^512..]) < Tolerance, $"last position: {MaxAbsDiff(last, reference[^512..])}");
        var chunked = new CpuLlama(model, maxTokens: 150);
        float diff = MaxAbsDiff(EngineLogits(chunked, prompt), reference);
        Assert.True(diff < Tolerance, $"max |Δ| = {diff}");
    }

    /// <summary>
    /// The reference for a bf16 model: float32 arithmetic on its (rounded) weights, each matrix product's input
    /// rounded to bf16 (ties to even), as the engine computes: a forward pre-hook on every linear layer and the
    /// tied head applied to the rounded final hidden states. Logits [prompt length, vocab].
    /// </summary>
    internal static float[] TorchLogitsWithBf16Inputs(LlamaForCausalLM bf16, int[] prompt)
    {
        using var widened = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        using (no_grad())
            foreach (var ((_, p), (_, q)) in widened.named_parameters().Zip(bf16.named_parameters()))
                p.copy_(q.to_type(ScalarType.Float32));
        static Tensor Round(Tensor x) => x.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);
        var hooks = widened.modules().OfType<TorchSharp.Modules.Linear>().Select(linear => linear.register_forward_pre_hook((_, x) => Round(x))).ToList();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(prompt.Select(x => (long)x).ToArray(), [1, prompt.Length]);
        var logits = widened.Head(Round(widened.Model.Forward(ids))).data<float>().ToArray();
        foreach (var hook in hooks) hook.remove();
        return logits;
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bf16_weights_multiply_bf16_rounded_activations_with_float32_sums_native_and_managed(bool native)
    {
        if (native) ToolRequirement.NativeCpuKernel(NativeCpuKernels.Bf16);
        using var bf16 = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"), dtype: ScalarType.BFloat16);
        var prompt = new[] { 1, 403, 407, 261, 378, 29, 15 };
        var reference = TorchLogitsWithBf16Inputs(bf16, prompt);
        using var kernels = new NativeKernelsEnabled(native);
        var engine = new CpuLlama(bf16);
        float diff = MaxAbsDiff(EngineLogits(engine, prompt), reference);
        Assert.True(diff < BF16Tolerance, $"max |Δ| = {diff}");
        Assert.Equal("bfloat16", engine.FormatName);
    }

    [SkippableTheory]
    [InlineData("float32", true)]
    [InlineData("float32", false)]
    [InlineData("bfloat16", true)]
    public void A_bf16_copy_multiplies_the_rounded_weights_like_a_bf16_model(string dtype, bool native)
    {
        if (native) ToolRequirement.NativeCpuKernel(NativeCpuKernels.Bf16);
        using var bf16 = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"), dtype: ScalarType.BFloat16);
        using var model = dtype == "bfloat16" ? null : LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var prompt = new[] { 1, 403, 407, 261, 378, 29, 15 };
        // The copy rounds the weight matrices (ties to even) and keeps a float32 model's norms in float32.
        using var rounded = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        using (no_grad())
            foreach (var (_, p) in rounded.named_parameters())
                if (p.dim() == 2 || dtype == "bfloat16") p.copy_(p.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32));
        var reference = TorchLogitsWithBf16Inputs(rounded, prompt);
        using var kernels = new NativeKernelsEnabled(native);
        var engine = new CpuLlama(model ?? bf16, CpuWeightFormat.Bf16);
        float diff = MaxAbsDiff(EngineLogits(engine, prompt), reference);
        Assert.True(diff < BF16Tolerance, $"max |Δ| = {diff}");
        Assert.Equal(("bf16-copy", native ? "avx512-bf16" : "managed"), (engine.FormatName, engine.KernelsName));
        // Two bytes a weight; panels also pad each matrix to whole 16-row panels (gate and up: 172 rows → 176).
        long bf16Bytes = new CpuLlama(bf16).WeightBytesPerToken;
        Assert.InRange(engine.WeightBytesPerToken, bf16Bytes, native ? bf16Bytes * 1.03 : bf16Bytes);
    }

    /// <summary>
    /// Engine vs <see cref="TorchLogitsWithBf16Inputs"/>: the float32 sums differ in order, so an activation
    /// near a bf16 rounding boundary may round the other way (one bf16 step, 2⁻⁸ relative), which is far above 1e-4.
    /// </summary>
    internal const float BF16Tolerance = 2e-3f;

    public static TheoryData<string> RopeTypes => new() { "none", "linear", "dynamic", "yarn", "llama3", "longrope" };

    static LlamaConfig OddConfig(string rope) => new()
    {
        HiddenSize = 48, IntermediateSize = 80, NumHiddenLayers = 2, NumAttentionHeads = 6, NumKeyValueHeads = 2,
        HeadDim = 12, VocabSize = 97, MaxPositionEmbeddings = 16, AttentionBias = true, MlpBias = true, TieWordEmbeddings = rope == "linear",
        BosTokenId = null, EosTokenIds = [],
        RopeScaling = rope switch
        {
            "none" => null,
            "linear" => new RopeScaling { RopeType = "linear", Factor = 2 },
            "dynamic" => new RopeScaling { RopeType = "dynamic", Factor = 2 },
            "yarn" => new RopeScaling { RopeType = "yarn", Factor = 4, OriginalMaxPositionEmbeddings = 8 },
            "llama3" => new RopeScaling { RopeType = "llama3", Factor = 8, OriginalMaxPositionEmbeddings = 8, LowFreqFactor = 1, HighFreqFactor = 4 },
            _ => new RopeScaling
            {
                RopeType = "longrope", OriginalMaxPositionEmbeddings = 8,
                ShortFactor = [1, 1.5, 2, 2.5, 3, 3.5], LongFactor = [2, 3, 4, 5, 6, 7],
            },
        },
    };

    [Theory, MemberData(nameof(RopeTypes))]
    public void Odd_shapes_biases_and_every_rope_scaling_match_the_TorchSharp_cache_path_step_by_step(string rope)
    {
        var config = OddConfig(rope);
        using var model = new LlamaForCausalLM(config, seed: 5);
        using (no_grad())
        {
            var generator = new torch.Generator(11);
            foreach (var (name, p) in model.named_parameters())
                if (name.EndsWith(".bias", StringComparison.Ordinal) || name.EndsWith("norm.weight", StringComparison.Ordinal))
                    p.copy_(torch.randn(p.shape, generator: generator).mul(0.1).add(name.EndsWith("norm.weight") ? 1 : 0));
        }
        var tokens = Enumerable.Range(0, 24).Select(i => (i * 13 + 5) % 97).ToArray();
        const int prompt = 10;
        var engine = new CpuLlama(model, maxTokens: 4);
        var cache = engine.CreateCache(1, tokens.Length);
        using var torchCache = model.CreateCache(1, tokens.Length);
        var logits = new float[config.VocabSize];
        engine.Prefill(tokens.AsSpan(0, prompt), 0, 0, cache, logits);
        using var noGrad = no_grad();
        for (int t = prompt; ; t++)
        {
            using var scope = NewDisposeScope();
            var ids = t == prompt ? tokens[..prompt] : [tokens[t - 1]];
            var reference = model.Forward(tensor(ids.Select(x => (long)x).ToArray(), [1, ids.Length]), cache: torchCache)
                .select(1, ids.Length - 1).data<float>().ToArray();
            float diff = MaxAbsDiff(logits, reference);
            Assert.True(diff < Tolerance, $"{rope}, position {t - 1}: max |Δ| = {diff}");
            if (t == tokens.Length) break;
            engine.Step([tokens[t]], [0], [t], cache, logits);
        }
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("bfloat16")]
    [InlineData("int8")]
    public void Decode_steps_allocate_nothing_once_warm(string weights)
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"), dtype: weights == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32);
        var engine = new CpuLlama(model, weights == "int8" ? CpuWeightFormat.Int8 : CpuWeightFormat.AsLoaded);
        var cache = engine.CreateCache(2, 64);
        var logits = new float[2 * 512];
        engine.Prefill([1, 403], 0, 0, cache, logits);
        int[] tokens = [1, 2], slots = [0, 1], positions = [2, 0];
        engine.Step(tokens, slots, positions, cache, logits);
        // A per-token allocation shows in every window; a one-time lazy allocation of the runtime (a lock's
        // wait event, first created when another test's thread contends on the shared pool) in one at most.
        var windows = new List<long>();
        for (int window = 0; window < 3 && (windows.Count == 0 || windows[^1] != 0); window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++)
            {
                positions[0]++;
                positions[1]++;
                engine.Step(tokens, slots, positions, cache, logits);
            }
            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(windows[^1] == 0, $"bytes allocated per window of 10 steps: {string.Join(", ", windows)}");
    }

    [Fact]
    public void Repeated_generations_keep_managed_memory_and_rss_flat()
    {
        // Runs in the non-parallel collection, so no other test moves the heap or RSS meanwhile.
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var generator = new Prem.Llm.Generation.TextGenerator(model);
        var options = new Prem.Llm.Generation.SamplingOptions { MaxNewTokens = 100 };
        for (int i = 0; i < 5; i++) generator.Generate([1, 403], options);
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        long rss = Environment.WorkingSet;
        for (int i = 0; i < 100; i++) generator.Generate([1, 403], options);
        generator.Generate([1], options with { MaxNewTokens = 511 }); // to the full window
        long heapGrowth = GC.GetTotalMemory(forceFullCollection: true) - heap;
        long rssGrowth = Environment.WorkingSet - rss;
        Assert.True(heapGrowth < 1 << 20, $"managed heap grew {heapGrowth} bytes over 101 generations");
        Assert.True(rssGrowth < 16 << 20, $"RSS grew {rssGrowth} bytes over 101 generations");
    }

    [Fact]
    public void Full_cache_and_bad_tokens_are_clear_errors()
    {
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        var engine = new CpuLlama(model);
        var cache = engine.CreateCache(1, 4);
        var logits = new float[512];
        var full = Assert.Throws<InvalidOperationException>(() => engine.Step([5], [0], [4], cache, logits));
        Assert.Contains("capacity of 4", full.Message);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => engine.Step([512], [0], [0], cache, logits));
        Assert.Contains("vocabulary", bad.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Step([5], [1], [0], cache, logits));
    }

    [Fact]
    public void Custom_attention_backends_and_float16_are_not_taken()
    {
        using var half = new LlamaForCausalLM(OddConfig("none"), dtype: ScalarType.Float16);
        Assert.Contains("Float16", CpuLlama.Unsupported(half));
        using var model = LlamaForCausalLM.FromPretrained(TinyGqaGolden.ModelDirectory);
        Assert.Null(CpuLlama.Unsupported(model));
        Assert.Throws<NotSupportedException>(() => new CpuLlama(half));
    }

    [Fact]
    public void A_model_with_LoRA_adapters_runs_the_TorchSharp_forward_that_applies_them()
    {
        using var model = Prem.Llm.Tests.Training.TrainingFixtures.TinyModel(seed: 2);
        var prompt = new[] { 1, 5, 9, 3 };
        var options = new Prem.Llm.Generation.SamplingOptions { MaxNewTokens = 12 };
        var plain = new Prem.Llm.Generation.TextGenerator(model).Generate(prompt, options);
        using var lora = Prem.Llm.Adapters.LoraModel.Apply(model,
            Prem.Llm.Tests.Adapters.LoraFixtures.All(init: Prem.Llm.Adapters.LoraInitialization.Random), seed: 5);
        Assert.Contains("LoRA", CpuLlama.Unsupported(model));
        var adapted = new Prem.Llm.Generation.TextGenerator(model).Generate(prompt, options);
        var torch = new Prem.Llm.Generation.TextGenerator(model) { UseCpuEngine = false }.Generate(prompt, options);
        Assert.Equal(torch, adapted);
        Assert.NotEqual(plain, adapted);
    }
}

/// <summary>Tests that flip the kernels (<see cref="KernelWidth"/>, native on or off) run alone.</summary>
[CollectionDefinition(nameof(CpuKernelCollection), DisableParallelization = true)]
public sealed class CpuKernelCollection;
