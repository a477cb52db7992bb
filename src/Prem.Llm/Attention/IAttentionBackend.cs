using TorchSharp;
using static TorchSharp.torch;

namespace Prem.Llm.Attention;

/// <summary>
/// Computes scaled dot-product attention for one layer. Backends know nothing of models: they get
/// projected, rotated heads and a mask description, and return the attended values.
/// </summary>
public interface IAttentionBackend
{
    /// <summary>A short name for logs and configs ("eager", "sdpa", "flash").</summary>
    string Name { get; }

    /// <summary>Attends <paramref name="query"/> over <paramref name="key"/>/<paramref name="value"/>.</summary>
    /// <param name="query">[batch, queryHeads, queryLength, headDim].</param>
    /// <param name="key">[batch, kvHeads, keyLength, headDim]; queryHeads is a multiple of kvHeads,
    /// and query head h reads KV head h / (queryHeads / kvHeads).</param>
    /// <param name="value">[batch, kvHeads, keyLength, headDim].</param>
    /// <param name="mask">Which keys each query may see.</param>
    /// <param name="scale">Softmax scale, usually 1 / sqrt(headDim).</param>
    /// <returns>[batch, queryHeads, queryLength, headDim], in the dtype of <paramref name="query"/>.</returns>
    Tensor Forward(Tensor query, Tensor key, Tensor value, AttentionMask mask, double scale);
}
