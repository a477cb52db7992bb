using System.IO.Hashing;
using System.Text;
using Prem.Llm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Distributed;

/// <summary>
/// A 64-bit XxHash3 over the names, shapes, dtypes and exact bytes of a module's parameters, in
/// registration order: equal on two ranks exactly when their weights are bit-identical (up to hash
/// collisions). Cheaper to compare across ranks than the weights themselves.
/// </summary>
internal static class ParameterChecksum
{
    /// <summary>The checksum of <paramref name="module"/>'s parameters.</summary>
    public static ulong Compute(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var hash = new XxHash3();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in module.named_parameters())
        {
            hash.Append(Encoding.UTF8.GetBytes($"{name}:{parameter.dtype}:{string.Join('x', parameter.shape)};"));
            var cpu = parameter.detach().cpu().contiguous();
            hash.Append(TensorMemory.ByteSpan(cpu));
        }
        return hash.GetCurrentHashAsUInt64();
    }
}
