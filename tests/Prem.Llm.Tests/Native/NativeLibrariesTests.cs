using Prem.Llm.Native;

namespace Prem.Llm.Tests.Native;

public class NativeLibrariesTests
{
    [Fact]
    public void DriverCandidates_AreTheDriversSonames()
    {
        Assert.Equal(["libcuda.so.1", "libcuda.so"], NativeLibraries.DriverCandidates());
    }

    [Fact]
    public void TryLoadFirst_ReportsEveryMissingCandidate()
    {
        var errors = new List<string>();

        bool found = NativeLibraries.TryLoadFirst(["libprem-missing-a.so", "libprem-missing-b.so"], out var handle, out var loaded, errors);

        Assert.False(found);
        Assert.Equal(IntPtr.Zero, handle);
        Assert.Null(loaded);
        Assert.Equal(2, errors.Count);
        Assert.StartsWith("libprem-missing-a.so: ", errors[0]);
        Assert.StartsWith("libprem-missing-b.so: ", errors[1]);
    }

    [Fact]
    public void Register_MakesTheNameResolveToTheHandle()
    {
        const string name = "prem_test_only";
        Assert.False(NativeLibraries.TryGet(name, out _));

        NativeLibraries.Register(name, 42);

        Assert.True(NativeLibraries.TryGet(name, out var handle));
        Assert.Equal(42, handle);
    }
}
