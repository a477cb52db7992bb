using Prem.Llm.Attention;
using Prem.Llm.Cuda.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.DeviceCheck;

/// <summary>Our flash kernel through <see cref="FlashAttentionBackend"/> on TorchSharp CUDA tensors vs LibTorch's SDPA: output and gradients.</summary>
internal static class KernelCheck
{
    public static Dictionary<string, object?> Run(Device device, bool packed)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        Tensor Make(long heads) => randn([2, heads, 512, 64], generator: g).to(ScalarType.BFloat16).to(device).requires_grad_(true);
        var (q, k, v) = (Make(8), Make(2), Make(2));
        var mask = packed
            ? new AttentionMask { DocumentIds = cat([zeros(2, 200, ScalarType.Int64), ones(2, 312, ScalarType.Int64)], 1).to(device) }
            : AttentionMask.Causal;
        var flash = new FlashAttentionBackend(fallback: new SdpaAttention());
        var reference = new EagerAttention();
        var outFlash = flash.Forward(q, k, v, mask, 0.125);
        var dO = randn(outFlash.shape, generator: g).to(ScalarType.BFloat16).to(device);
        var gradsFlash = autograd.grad([outFlash], [q, k, v], [dO]);
        var outRef = reference.Forward(q, k, v, mask, 0.125);
        var gradsRef = autograd.grad([outRef], [q, k, v], [dO]);
        double RelL2(Tensor a, Tensor b) => a.to(ScalarType.Float32).sub(b.to(ScalarType.Float32)).norm().item<float>() / (b.to(ScalarType.Float32).norm().item<float>() + 1e-12);
        var errors = new[] { RelL2(outFlash, outRef), RelL2(gradsFlash[0], gradsRef[0]), RelL2(gradsFlash[1], gradsRef[1]), RelL2(gradsFlash[2], gradsRef[2]) };
        return new()
        {
            ["ok"] = errors.All(e => e <= 2e-2),
            ["rel_l2_o_dq_dk_dv"] = errors.Select(e => Math.Round(e, 5)).ToArray(),
            ["limit"] = 2e-2,
        };
    }
}
