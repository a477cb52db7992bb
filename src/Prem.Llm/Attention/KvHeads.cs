using static TorchSharp.torch;

namespace Prem.Llm.Attention;

/// <summary>Grouped-query helpers for backends that need one KV head per query head.</summary>
internal static class KvHeads
{
    /// <summary>
    /// Repeats each KV head <paramref name="groups"/> times along dim 1, so query head h meets KV head
    /// h / groups: [batch, kvHeads, length, dim] → [batch, kvHeads·groups, length, dim].
    /// </summary>
    public static Tensor Repeat(Tensor kv, long groups) =>
        groups == 1 ? kv.alias() : kv.repeat_interleave(groups, dim: 1);

    /// <summary>Key and value with one head per query head, after checking the head counts.</summary>
    public static (Tensor Key, Tensor Value) RepeatForQuery(Tensor query, Tensor key, Tensor value)
    {
        long groups = Groups(query, key);
        return (Repeat(key, groups), Repeat(value, groups));
    }

    /// <summary>Query heads per KV head, checked.</summary>
    public static long Groups(Tensor query, Tensor key)
    {
        if (query.dim() != 4 || key.dim() != 4)
            throw new ArgumentException($"Attention expects 4-d [batch, heads, length, dim] tensors; got query {Shape(query)} and key {Shape(key)}.");
        long hq = query.shape[1], hkv = key.shape[1];
        if (hkv == 0 || hq % hkv != 0)
            throw new ArgumentException($"Query heads ({hq}) must be a multiple of KV heads ({hkv}).", nameof(key));
        return hq / hkv;
    }

    static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
