using Prem.Llm.Attention;
using Prem.Llm.Cuda.Attention;
using Prem.Llm.Recipes;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Tests.Recipes;

public class RecipeHostTests
{
    static readonly Device _cuda = new(DeviceType.CUDA, 0);

    [Fact]
    public void Built_in_backends_need_no_host_and_flash_without_a_device_falls_back_with_a_notice()
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
        Assert.Same(flash, host.Attention("flash", Prem.Llm.Devices.ComputeDevice.Cpu, "k").Backend);
    }

    [Fact]
    public void Flash_on_a_cuda_device_is_our_kernel_with_sdpa_for_the_masks_it_cannot_express()
    {
        // Constructing the backend touches no GPU (the kernels load at the first call), so the choice is checked here.
        var (backend, name) = new RecipeHost().Attention("flash", _cuda, "model.model_args.flash_attention");
        Assert.IsType<FlashAttentionBackend>(backend);
        Assert.Equal("flash", name);
    }

    [Fact]
    public void Flash_on_the_cpu_is_an_error_naming_the_key_and_the_alternatives()
    {
        var e = Assert.Throws<RecipeException>(() => new RecipeHost().Attention("flash", Prem.Llm.Devices.ComputeDevice.Cpu, "model.model_args.flash_attention"));
        Assert.Equal("model.model_args.flash_attention", e.KeyPath);
        Assert.Contains("CUDA only", e.Message);
        Assert.Contains("attention: sdpa", e.Message);
        Assert.Contains("flash_reference", e.Message);
    }

    [Fact]
    public void Flash_reference_runs_the_kernels_cpu_reference_and_matches_eager_attention()
    {
        var (backend, name) = new RecipeHost().Attention("flash_reference", Prem.Llm.Devices.ComputeDevice.Cpu, "model.model_args.attention");
        Assert.Equal("flash_reference", name);
        Assert.IsType<FlashAttentionBackend>(backend);
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var q = randn([1, 4, 20, 64], generator: g);
        var k = randn([1, 2, 20, 64], generator: g);
        var v = randn([1, 2, 20, 64], generator: g);
        var mask = AttentionMask.Causal;
        var expected = new EagerAttention().Forward(q, k, v, mask, 0.125);
        var actual = backend.Forward(q, k, v, mask, 0.125);
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void An_unknown_backend_for_a_device_is_an_error_naming_the_key()
    {
        var e = Assert.Throws<RecipeException>(() => new RecipeHost().Attention("xformers", Prem.Llm.Devices.ComputeDevice.Cpu, "attn_implementation"));
        Assert.Equal("attn_implementation", e.KeyPath);
    }
}
