using System.Runtime.InteropServices;
using Prem.Llm.Generation.Cpu;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Generation.Cpu;

[Collection(nameof(CpuKernelCollection))]
public unsafe partial class CacheWarmerTests
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(void* address, nuint length, int protection);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(257)]
    [InlineData(4096 + 65)]
    public void Ranges_of_any_length_are_read_up_to_their_last_line_only(int bytes)
    {
        // The range ends at the last byte of a page whose successor is made inaccessible (Unix): a read past its end would
        // crash the test run.
        long page = Environment.SystemPageSize, size = 3 * page;
        byte* block = (byte*)NativeMemory.AlignedAlloc((nuint)size, (nuint)page);
        bool guarded = !OperatingSystem.IsWindows() && mprotect(block + 2 * page, (nuint)page, 0) == 0;
        try
        {
            Assert.True(guarded || OperatingSystem.IsWindows(), "mprotect failed");
            byte* start = block + 2 * page - bytes;
            new Span<byte>(block, (int)(2 * page)).Fill(7);
            CacheWarmer.Touch(start, bytes);
            Assert.Equal(7, start[-1]);
        }
        finally
        {
            if (guarded) mprotect(block + 2 * page, (nuint)page, 3); // PROT_READ | PROT_WRITE
            NativeMemory.AlignedFree(block);
        }
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void Batched_steps_give_the_same_logits_with_and_without_the_warming_pass(ScalarType dtype)
    {
        using var model = LlamaForCausalLM.FromPretrained(TestData.Path("stories260K"), dtype: dtype);
        float[] Step()
        {
            var engine = new CpuLlama(model);
            var cache = engine.CreateCache(8, 16);
            var logits = new float[8 * 512];
            for (int row = 0; row < 8; row++) engine.Prefill([1, 20 + row, 30], row, 0, cache, logits.AsSpan(0, 512));
            engine.Step([5, 6, 7, 8, 9, 10, 11, 12], [0, 1, 2, 3, 4, 5, 6, 7], [3, 3, 3, 3, 3, 3, 3, 3], cache, logits);
            return logits;
        }
        var warmed = Step();
        CacheWarmer.Enabled = false;
        try
        {
            Assert.Equal(warmed, Step());
        }
        finally
        {
            CacheWarmer.Enabled = true;
        }
    }
}
