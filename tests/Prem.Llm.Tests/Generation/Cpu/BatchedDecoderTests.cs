using System.Numerics.Tensors;
using Prem.Llm.Generation;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;
using Prem.Llm.Native;
using Prem.Llm.Testing;
using Prem.Llm.Tests.Native;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public class BatchedDecoderTests : IClassFixture<ToolReport>
{
    [SkippableTheory]
    [InlineData("float32", "as-loaded", false)]
    [InlineData("bfloat16", "as-loaded", false)]
    [InlineData("bfloat16", "as-loaded", true)]
    [InlineData("float32", "int8", false)]
    [InlineData("float32", "int8", true)]
    [InlineData("float32", "bf16", false)]
    [InlineData("float32", "bf16", true)]
    [InlineData("bfloat16", "bf16", true)]
    public void Rows_that_join_and_leave_at_different_times_decode_as_they_would_alone(string dtype, string weights, bool native)
    {
        if (native) ToolRequirement.NativeCpuKernel(weights == "int8" ? NativeCpuKernels.Int8 : NativeCpuKernels.Bf16);
        using var kernels = new NativeKernelsEnabled(native);
        var cpuWeights = weights switch { "int8" => CpuWeights.Int8, "bf16" => CpuWeights.Bf16, _ => CpuWeights.AsLoaded };
        RowsDecodeAsAlone(dtype == "bfloat16" ? TorchSharp.torch.ScalarType.BFloat16 : TorchSharp.torch.ScalarType.Float32, cpuWeights);
    }

    static void RowsDecodeAsAlone(TorchSharp.torch.ScalarType dtype, CpuWeights weights)
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"), dtype: dtype);
        var engine = new CpuLlama(model, TextGenerator.EngineFormat(weights));
        var alone = new TextGenerator(model) { CpuWeights = weights };
        int[][] prompts = [[1], [1, 403, 407, 261, 378], [1, 29, 15], Enumerable.Range(0, 40).Select(i => 1 + i * 11 % 500).ToArray()];
        const int newTokens = 30;
        var expected = prompts.Select(p => alone.Generate(p, new SamplingOptions { MaxNewTokens = newTokens })).ToArray();

        var decoder = new BatchedDecoder(engine, maxRows: 3, capacity: 80);
        var outputs = prompts.Select(_ => new List<int>()).ToArray();
        var rowOf = new Dictionary<int, int>(); // slot → prompt
        var logits = new float[3 * 512];
        var one = new float[512];
        int nextPrompt = 0;
        void Join()
        {
            int slot = decoder.Join(prompts[nextPrompt], one);
            rowOf[slot] = nextPrompt;
            outputs[nextPrompt++].Add(TensorPrimitives.IndexOfMax(one));
        }
        Join();
        Join();
        for (int step = 0; outputs.Any(o => o.Count < newTokens); step++)
        {
            if (step == 4) Join();                                    // a third row joins mid-way
            var slots = rowOf.Keys.Order().ToArray();
            foreach (int slot in slots)
                if (outputs[rowOf[slot]].Count == newTokens)
                {
                    decoder.Leave(slot);                              // done: leave, and the last prompt takes the slot
                    rowOf.Remove(slot);
                    if (nextPrompt < prompts.Length) Join();
                }
            slots = rowOf.Keys.Where(s => outputs[rowOf[s]].Count < newTokens).Order().ToArray();
            if (slots.Length == 0) continue;
            var tokens = slots.Select(s => outputs[rowOf[s]][^1]).ToArray();
            decoder.Step(slots, tokens, logits);
            for (int i = 0; i < slots.Length; i++) outputs[rowOf[slots[i]]].Add(TensorPrimitives.IndexOfMax(logits.AsSpan(i * 512, 512)));
        }
        for (int p = 0; p < prompts.Length; p++) Assert.Equal(expected[p], outputs[p]);
    }

    [Fact]
    public void Full_decoders_and_inactive_slots_are_refused()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var decoder = new BatchedDecoder(new CpuLlama(model), maxRows: 1, capacity: 8);
        var logits = new float[512];
        int slot = decoder.Join([1, 2], logits);
        Assert.Equal(2, decoder.Length(slot));
        Assert.Contains("taken", Assert.Throws<InvalidOperationException>(() => decoder.Join([1], logits)).Message);
        decoder.Step([slot], [5], logits);
        Assert.Equal(3, decoder.Length(slot));
        decoder.Leave(slot);
        Assert.Equal(0, decoder.ActiveRows);
        Assert.Throws<ArgumentException>(() => decoder.Step([slot], [5], logits));
    }
}
