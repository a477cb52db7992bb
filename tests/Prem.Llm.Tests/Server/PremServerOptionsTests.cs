using Prem.Llm.Server;

namespace Prem.Llm.Tests.Server;

public class PremServerOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_listen_on_loopback_only()
    {
        var options = new PremServerOptions().Validate();
        Assert.All(options.Urls, u => Assert.True(LoopbackUrls.IsLoopback(u)));
        Assert.Null(options.ApiKey);
    }

    [Theory]
    [InlineData("Urls")]
    [InlineData("ApiKey")]
    [InlineData("MaxRequestBodyBytes")]
    [InlineData("MaxConcurrentRequests")]
    [InlineData("MaxQueueLength")]
    [InlineData("ShutdownTimeout")]
    [InlineData("ContextLength")]
    public void Out_of_range_options_are_refused_by_name(string name)
    {
        var bad = name switch
        {
            "Urls" => new PremServerOptions { Urls = [] },
            "ApiKey" => new PremServerOptions { ApiKey = "" },
            "MaxRequestBodyBytes" => new PremServerOptions { MaxRequestBodyBytes = 10 },
            "MaxConcurrentRequests" => new PremServerOptions { MaxConcurrentRequests = 0 },
            "MaxQueueLength" => new PremServerOptions { MaxQueueLength = -1 },
            "ContextLength" => new PremServerOptions { ContextLength = -1 },
            _ => new PremServerOptions { ShutdownTimeout = TimeSpan.FromSeconds(-1) },
        };
        Assert.Equal(name, Assert.Throws<ArgumentException>(() => bad.Validate()).ParamName);
    }
}
