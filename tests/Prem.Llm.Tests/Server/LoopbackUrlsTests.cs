using Prem.Llm.Server;

namespace Prem.Llm.Tests.Server;

public class LoopbackUrlsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://127.0.0.2:0", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://[::1]:80", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://192.168.1.5:8080", false)]
    [InlineData("http://example.com:8080", false)]
    [InlineData("not a url", false)]
    public void Only_loopback_addresses_count_as_local(string url, bool loopback) => Assert.Equal(loopback, LoopbackUrls.IsLoopback(url));
}
