using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>Shape and dtype checks shared by the batch constructors, with messages that name the argument and the expected shape.</summary>
internal static class BatchShapes
{
    /// <summary>Throws unless <paramref name="t"/> is a 2-D int64 tensor.</summary>
    public static void RequireTokens(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.dim() != 2 || t.dtype != ScalarType.Int64)
            throw new ArgumentException($"{name} must be [batch, seq] int64; got [{Shape(t)}] {t.dtype}.", name);
    }

    /// <summary>Throws unless <paramref name="t"/> is int64 of the same shape as <paramref name="inputIds"/>.</summary>
    public static void RequireLike(Tensor t, Tensor inputIds, string name)
    {
        if (!t.shape.SequenceEqual(inputIds.shape) || t.dtype != ScalarType.Int64)
            throw new ArgumentException($"{name} must be [{Shape(inputIds)}] int64 like inputIds; got [{Shape(t)}] {t.dtype}.", name);
    }

    /// <summary>Throws unless <paramref name="t"/> has the shape of <paramref name="inputIds"/> (any dtype: nonzero marks real tokens).</summary>
    public static void RequireShape(Tensor t, Tensor inputIds, string name)
    {
        if (!t.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"{name} must be [{Shape(inputIds)}] like inputIds; got [{Shape(t)}].", name);
    }

    /// <summary>Throws unless <paramref name="ids"/> is null or has one id per row.</summary>
    public static void RequireIds(IReadOnlyList<long>? ids, long rows, string name)
    {
        if (ids is not null && ids.Count != rows)
            throw new ArgumentException($"{name} must hold one id per example ({rows}); got {ids.Count}.", name);
    }

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
