using System.Runtime.CompilerServices;
using Prem.Llm.Generation;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;
using Prem.Llm.Native;
using Prem.Llm.Testing;
using Prem.Llm.Text;
using Xunit.Abstractions;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public class Int8MatrixTests(ITestOutputHelper output) : IClassFixture<ToolReport>
{
    // Measured with int8 weights × per-token int8 activations (integer dot products): 171 tokens, max |Δlogit| 0.53
    // (logits reach ±20), perplexity 3.4228 → 3.4426 (+0.58%), greedy 64/64. (Weights alone, float32
    // activations: 0.36 and +0.30%.)
    // Written for this test (not from TinyStories), so the model has not seen it.
    const string HeldOut =
        "Once upon a time, there was a little dog named Max. Max liked to run in the big green park with his friend Sue. " +
        "One day, Sue found a red ball under a tree. She threw the ball and Max ran fast to get it. " +
        "The ball went into the pond. Max was sad, but a kind duck pushed the ball back to him. " +
        "Max and Sue said thank you to the duck. They played until the sun went down, and then they went home happy.";

    [Fact]
    public void Blocks_round_to_the_nearest_step_of_max_over_127()
    {
        float[] block = [0.5f, -1.27f, 0.004f, 0.0051f, -0.0149f, 1.0f];
        var q = new sbyte[block.Length];
        float d = Int8Matrix.QuantizeBlock(block, q);
        Assert.Equal(1.27f / 127f, d, 1e-7f);
        Assert.Equal(new sbyte[] { 50, -127, 0, 1, -1, 100 }, q); // 0.0051 / 0.01 = 0.51 → 1; −1.49 → −1
        Assert.Equal(0f, Int8Matrix.QuantizeBlock([0f, 0f], new sbyte[2]));
    }

    // The products at one kernel width (KernelWidth: 512, 256 or 0 for the portable pair sums).
    static unsafe float[] Products(Int8Matrix matrix, float[] x, int tokens, int bits)
    {
        var y = new float[tokens * matrix.Rows];
        using var width = new KernelWidth(bits);
        fixed (float* px = x, py = y) matrix.Multiply(px, matrix.Cols, tokens, py, matrix.Rows, 0, matrix.Rows);
        return y;
    }

    [SkippableTheory]
    [InlineData(77, false)]   // a short last block
    [InlineData(172, false)]  // stories260K's MLP width: five blocks and a short one
    [InlineData(256, false)]
    [InlineData(77, true)]
    [InlineData(172, true)]
    [InlineData(256, true)]
    public unsafe void Integer_products_equal_the_exact_block_sums_in_rows_and_in_panels(int cols, bool panels)
    {
        const int rows = 19, tokens = 10; // a partial second panel; more tokens than the kernels' groups
        var random = new Random(cols);
        var weights = Enumerable.Range(0, rows * cols).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
        var matrix = Int8Matrix.Quantize(rows, cols, (r, row) => weights.AsSpan(r * cols, cols).CopyTo(row), panels);
        Assert.Equal(panels, matrix.Panels);
        var x = Enumerable.Range(0, tokens * cols).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var portable = Products(matrix, x, tokens, bits: 0);
        // Rows: the portable pair sums and the AVX-512 path give the same bits; panels: the portable loop, AVX2 and the
        // native kernel do (Int8PanelKernelTests).
        if (KernelWidth.Supports(512) && Int8Kernel.UseAvx512 && !panels) Assert.Equal(portable, Products(matrix, x, tokens, bits: 512));
        if (KernelWidth.Supports(256) && panels) Assert.Equal(portable, Products(matrix, x, tokens, bits: 256));
        // At each width a token alone gives the same bits as in a group.
        var paths = new List<(int Bits, float[] Products)>();
        foreach (int bits in new[] { 0, 256 }.Where(KernelWidth.Supports))
        {
            var products = bits == 0 ? portable : Products(matrix, x, tokens, bits);
            for (int t = 0; t < tokens; t++)
            {
                var alone = Products(matrix, x[(t * cols)..((t + 1) * cols)], 1, bits);
                Assert.Equal(products.AsSpan(t * rows, rows).ToArray(), alone);
            }
            paths.Add((bits, products));
        }

        var row = new float[cols];
        var wq = new sbyte[Int8Matrix.BlockSize];
        var xq = new sbyte[Int8Matrix.BlockSize];
        for (int r = 0; r < rows; r++)
        {
            matrix.ReadRow(r, row);
            for (int k = 0; k < cols; k++) Assert.True(Math.Abs(row[k] - weights[r * cols + k]) <= 1.0f / 127 / 2 + 1e-6f);
            for (int t = 0; t < tokens; t++)
            {
                // Reference: both sides quantised per block of 32, integer block sums, scales applied in double.
                double exact = 0, unquantised = 0;
                for (int start = 0; start < cols; start += Int8Matrix.BlockSize)
                {
                    int length = Math.Min(Int8Matrix.BlockSize, cols - start);
                    float dw = Int8Matrix.QuantizeBlock(weights.AsSpan(r * cols + start, length), wq);
                    float dx = Int8Matrix.QuantizeBlock(x.AsSpan(t * cols + start, length), xq);
                    long sum = 0;
                    for (int i = 0; i < length; i++) sum += wq[i] * xq[i];
                    exact += (double)dw * dx * sum;
                }
                for (int k = 0; k < cols; k++) unquantised += weights[r * cols + k] * (double)x[t * cols + k];
                foreach (var (bits, products) in paths)
                {
                    Assert.True(Math.Abs(exact - products[t * rows + r]) < 1e-5, $"{bits}-bit path, row {r}, token {t}: {products[t * rows + r]} vs {exact}");
                    Assert.True(Math.Abs(unquantised - products[t * rows + r]) < 0.01 * Math.Sqrt(cols), $"{unquantised} vs {products[t * rows + r]}");
                }
            }
        }
        int blocks = (cols + 31) / 32;
        Assert.Equal(panels ? 2 * blocks * (16 * 4 + 16 * 32) : rows * cols + rows * blocks * 4, matrix.Bytes);
    }

    [Fact]
    public unsafe void Activations_are_quantised_per_block_and_padded_with_zeros()
    {
        var x = Enumerable.Range(0, 2 * 40).Select(i => (float)Math.Sin(i) * (i % 7)).ToArray();
        float[] midpoints = [127f, 2.5f, -3.5f, 0.5f, -0.5f, 126.5f, -126.5f, 0f]; // d = 1: halves round away from zero
        midpoints.CopyTo(x, 0);
        var q = new Q8Activations();
        fixed (float* px = x) q.Quantize(px, 40, 2, 40);
        Assert.Equal((40, 2, 2), (q.Cols, q.Blocks, q.Tokens));
        Assert.Equal(new short[] { 127, 3, -4, 1, -1, 127, -127, 0 }, new ReadOnlySpan<short>(q.Values(0), 8).ToArray());
        var expected = new sbyte[32];
        for (int t = 0; t < 2; t++)
            for (int b = 0; b < 2; b++)
            {
                int length = b == 0 ? 32 : 8;
                Assert.Equal(Int8Matrix.QuantizeBlock(x.AsSpan(t * 40 + b * 32, length), expected), q.Scales(t)[b]);
                for (int i = 0; i < 32; i++) Assert.Equal(i < length ? expected[i] : 0, q.Values(t)[b * 32 + i]);
            }
    }

    [Fact]
    public unsafe void Panels_take_row_ranges_from_a_panel_start_and_say_so_otherwise()
    {
        var matrix = Int8Matrix.Quantize(40, 64, (r, row) => row.Fill(r), panels: true);
        var x = GC.AllocateArray<float>(64, pinned: true);
        var y = GC.AllocateArray<float>(40, pinned: true);
        var px = (float*)Unsafe.AsPointer(ref x[0]);
        var py = (float*)Unsafe.AsPointer(ref y[0]);
        matrix.Multiply(px, 64, 1, py, 40, 16, 37); // a panel start, and any end
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Multiply((float*)Unsafe.AsPointer(ref x[0]), 64, 1, (float*)Unsafe.AsPointer(ref y[0]), 40, 5, 40));
        Assert.Contains("every 16 rows", error.Message);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_int8_engine_keeps_the_kernel_its_weights_were_quantised_for(bool native)
    {
        if (native) ToolRequirement.NativeCpuKernel(NativeCpuKernels.Int8);
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var prompt = new[] { 1, 403, 407, 261, 378, 29, 15 };
        CpuLlama engine;
        float[] before;
        using (new Native.NativeKernelsEnabled(native))
        {
            engine = new CpuLlama(model, CpuWeightFormat.Int8);
            before = CpuLlamaTests.EngineLogits(engine, prompt);
        }
        // Switching the native kernels the other way afterwards changes neither the kernel's name nor the logits.
        using var flipped = new Native.NativeKernelsEnabled(!native);
        Assert.Equal(native ? "avx512-vnni" : Int8PanelKernel.UseAvxVnni ? "avx-vnni" : "managed", engine.KernelsName);
        Assert.Equal(before, CpuLlamaTests.EngineLogits(engine, prompt));
    }

    // The AVX-VNNI blocks and the AVX2 ones in a whole model: the same logits, bit for bit (emulated where the CPU
    // lacks AVX-VNNI), and the engine names the kernels it runs.
    [SkippableFact]
    public void An_int8_engine_gives_the_same_logits_with_the_AVX_VNNI_blocks_as_with_AVX2()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var prompt = new[] { 1, 403, 407, 261, 378, 29, 15 };
        using var width = new KernelWidth(256);
        using var native = new Native.NativeKernelsEnabled(false);
        var engine = new CpuLlama(model, CpuWeightFormat.Int8);
        Skip.IfNot(engine.Layers[0].Q is Int8Matrix { Panels: true }, "int8 weights are not in panels here (AVX-512 rows)");
        bool saved = Int8PanelKernel.UseAvxVnni;
        try
        {
            Int8PanelKernel.UseAvxVnni = false;
            var avx2 = CpuLlamaTests.EngineLogits(engine, prompt);
            Assert.Equal("managed", engine.KernelsName);
            Int8PanelKernel.UseAvxVnni = true;
            Assert.Equal(avx2, CpuLlamaTests.EngineLogits(engine, prompt));
            Assert.Equal("avx-vnni", engine.KernelsName);
        }
        finally
        {
            Int8PanelKernel.UseAvxVnni = saved;
        }
    }

    [Fact]
    public void Stories260K_in_int8_keeps_greedy_text_logits_and_perplexity()
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"));
        var tokenizer = TokenizerLoader.Load(TestData.Path("stories260K", "tokenizer.model"));
        var ids = tokenizer.Encode(HeldOut, addBos: true).ToArray();
        var fp32 = new CpuLlama(model, maxTokens: 256);
        var int8 = new CpuLlama(model, CpuWeightFormat.Int8, maxTokens: 256);
        var a = CpuLlamaTests.EngineLogits(fp32, ids);
        var b = CpuLlamaTests.EngineLogits(int8, ids);
        float maxError = CpuLlamaTests.MaxAbsDiff(a, b);
        double pplFp32 = Perplexity(a, ids), pplInt8 = Perplexity(b, ids);

        var options = new SamplingOptions { MaxNewTokens = 64 };
        var greedy = new TextGenerator(model).Generate([1], options);
        var greedyInt8 = new TextGenerator(model) { CpuWeights = CpuWeights.Int8 }.Generate([1], options);
        int agree = greedy.Zip(greedyInt8).TakeWhile(p => p.First == p.Second).Count();
        output.WriteLine($"{ids.Length} tokens: max |Δlogit| {maxError:F4} (logits reach ±20), perplexity {pplFp32:F4} → {pplInt8:F4} " +
                         $"({(pplInt8 / pplFp32 - 1) * 100:+0.000;-0.000}%), greedy agreement {agree}/64, int8 bytes {int8.WeightBytesPerToken} vs {fp32.WeightBytesPerToken}");
        Assert.True(Math.Abs(pplInt8 / pplFp32 - 1) < 0.01, $"perplexity {pplFp32} → {pplInt8}");
        Assert.True(maxError < 0.75f, $"max logit error {maxError}");
        Assert.Equal(64, agree);
        // 1 byte and 1/32 of a scale per weight, where float32 has 4 (3.56×); panels (the AVX2 and native kernels) also
        // read a short last block whole, at 172 columns 192 (3.44×).
        bool panels = int8.Layers[0].Q is Int8Matrix { Panels: true };
        Assert.True(int8.WeightBytesPerToken * (panels ? 3.4 : 3.5) < fp32.WeightBytesPerToken);
    }

    static double Perplexity(float[] logits, int[] ids)
    {
        const int vocab = 512;
        double nll = 0;
        for (int t = 0; t + 1 < ids.Length; t++)
        {
            var row = logits.AsSpan(t * vocab, vocab);
            float max = float.NegativeInfinity;
            foreach (float v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (float v in row) sum += Math.Exp(v - max);
            nll -= row[ids[t + 1]] - max - Math.Log(sum);
        }
        return Math.Exp(nll / (ids.Length - 1));
    }
}
