namespace Prem.Llm.Gguf;

/// <summary>Typed reads of a GGUF file's metadata, each failure naming the file and key.</summary>
internal static class GgufMetadata
{
    /// <summary>A string value (required).</summary>
    public static string String(GgufFile file, string key) =>
        Get(file, key).Value is string s ? s : throw Wrong(file, key, "a string");

    /// <summary>A non-negative integer of any integer type that fits an int (required unless <paramref name="fallback"/>).</summary>
    public static int Int(GgufFile file, string key, int? fallback = null)
    {
        if (!file.Metadata.TryGetValue(key, out var v))
            return fallback ?? throw new GgufFormatException(file.Path, key, "the key is missing.");
        long n = v.Value switch
        {
            byte x => x, sbyte x => x, ushort x => x, short x => x, uint x => x, int x => x,
            ulong x => x > long.MaxValue ? long.MaxValue : (long)x, long x => x,
            _ => throw Wrong(file, key, "an integer"),
        };
        if (n < 0 || n > int.MaxValue) throw new GgufFormatException(file.Path, key, $"{n} is out of range.");
        return (int)n;
    }

    /// <summary>A float32 or float64 value, or <paramref name="fallback"/> when absent (required when it is null).</summary>
    public static double Float(GgufFile file, string key, double? fallback = null)
    {
        if (!file.Metadata.TryGetValue(key, out var v))
            return fallback ?? throw new GgufFormatException(file.Path, key, "the key is missing.");
        // A float32 as the decimal it was written from (1e-5, not 9.99999974738e-6), so configs round-trip.
        double d = v.Value switch
        {
            float f => double.Parse(f.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture),
            double x => x,
            _ => throw Wrong(file, key, "a float"),
        };
        if (!double.IsFinite(d)) throw new GgufFormatException(file.Path, key, $"{d} is not finite.");
        return d;
    }

    /// <summary>A bool, or null when absent.</summary>
    public static bool? OptionalBool(GgufFile file, string key) =>
        !file.Metadata.TryGetValue(key, out var v) ? null : v.Value is bool b ? b : throw Wrong(file, key, "a bool");

    /// <summary>A token id in [0, <paramref name="count"/>), or null when absent.</summary>
    public static int? OptionalTokenId(GgufFile file, string key, int count)
    {
        if (!file.Metadata.ContainsKey(key)) return null;
        int id = Int(file, key);
        if (id >= count) throw new GgufFormatException(file.Path, key, $"token id {id} is outside the vocabulary ({count} tokens).");
        return id;
    }

    /// <summary>An array whose elements are <paramref name="element"/> (required).</summary>
    public static T[] Array<T>(GgufFile file, string key, GgufValueType element)
    {
        var v = Get(file, key);
        if (v.Type != GgufValueType.Array || v.ElementType != element || v.Value.GetType() != typeof(T[]))
            throw Wrong(file, key, $"an array of {element}");
        return (T[])v.Value;
    }

    static GgufValue Get(GgufFile file, string key) =>
        file.Metadata.TryGetValue(key, out var v) ? v : throw new GgufFormatException(file.Path, key, "the key is missing.");

    static GgufFormatException Wrong(GgufFile file, string key, string expected) =>
        new(file.Path, key, $"expected {expected}, found {Describe(file.Metadata[key])}.");

    static string Describe(GgufValue v) => v.Type == GgufValueType.Array ? $"an array of {v.ElementType}" : v.Type.ToString();
}
