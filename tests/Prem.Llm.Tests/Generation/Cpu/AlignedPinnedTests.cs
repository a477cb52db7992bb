using System.Runtime.CompilerServices;
using Prem.Llm.Generation.Cpu;

namespace Prem.Llm.Tests.Generation.Cpu;

public unsafe class AlignedPinnedTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(1000)]
    public void The_start_is_on_a_64_byte_boundary_with_room_for_every_element(int count)
    {
        var bytes = AlignedPinned.Allocate<byte>(count, out byte* b);
        var halves = AlignedPinned.Allocate<ushort>(count, out ushort* h);
        Assert.Equal(0, (long)b % 64);
        Assert.Equal(0, (long)h % 64);
        Assert.True(b - (byte*)Unsafe.AsPointer(ref bytes[0]) + count <= bytes.Length);
        Assert.True(h - (ushort*)Unsafe.AsPointer(ref halves[0]) + count <= halves.Length);
    }
}
