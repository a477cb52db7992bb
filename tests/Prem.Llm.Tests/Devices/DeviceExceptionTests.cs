using Prem.Llm.Devices;

namespace Prem.Llm.Tests.Devices;

public class DeviceExceptionTests
{
    [Fact]
    public void The_message_starts_with_the_setting()
    {
        var e = new DeviceException("--device", "no GPU here");
        Assert.Equal("--device", e.Setting);
        Assert.Equal("--device: no GPU here", e.Message);
    }
}
