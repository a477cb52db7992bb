using Prem.Llm.Attention;
using Prem.Llm.Recipes;

namespace Prem.Llm.Tests.Recipes;

public class RecipeHostTests
{
    [Fact]
    public void Built_in_backends_need_no_host_and_flash_falls_back_with_a_notice()
    {
        var log = new StringWriter();
        var host = new RecipeHost { Log = log };
        Assert.IsType<EagerAttention>(host.Attention("eager").Backend);
        var (backend, name) = host.Attention("flash");
        Assert.IsType<AutoSdpaAttention>(backend);
        Assert.Equal("sdpa", name);
        Assert.Contains("\"flash\" is not available", log.ToString());
    }

    [Fact]
    public void A_host_resolver_supplies_flash()
    {
        var flash = new EagerAttention();
        var host = new RecipeHost { ResolveAttention = n => n == "flash" ? flash : null };
        Assert.Same(flash, host.Attention("flash").Backend);
        Assert.Equal("flash", host.Attention("flash").Name);
    }
}
