using Prem.Llm.Native;

namespace Prem.Llm.Tests.Native;

public class NcclCommHandleTests
{
    [Fact]
    public void AnUnfilledHandle_IsInvalid_AndDisposesWithoutTheLibrary()
    {
        // No native library is loaded here: an invalid handle must never reach its release call.
        var handle = new NcclCommHandle();

        Assert.True(handle.IsInvalid);
        handle.Dispose();
        Assert.True(handle.IsClosed);
    }
}
