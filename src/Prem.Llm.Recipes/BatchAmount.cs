namespace Prem.Llm.Recipes;

/// <summary>
/// Lightning's way of giving a number of batches: an integer is a count, a number with a point is a
/// fraction of an epoch's batches (so <c>1.0</c> means all and <c>1</c> means one batch).
/// </summary>
internal readonly record struct BatchAmount
{
    private BatchAmount(long? count, double? fraction)
    {
        Count = count;
        FractionOfEpoch = fraction;
    }

    /// <summary>A count of batches, or null when this is a fraction.</summary>
    public long? Count { get; }

    /// <summary>A fraction of an epoch's batches in [0, 1], or null when this is a count.</summary>
    public double? FractionOfEpoch { get; }

    /// <summary>All of an epoch's batches (1.0).</summary>
    public static BatchAmount All => new(null, 1.0);

    /// <summary>A count of batches.</summary>
    public static BatchAmount Batches(long count) =>
        count >= 0 ? new(count, null) : throw new ArgumentOutOfRangeException(nameof(count), count, "must be ≥ 0");

    /// <summary>A fraction of an epoch's batches.</summary>
    public static BatchAmount Fraction(double fraction) =>
        fraction is >= 0 and <= 1 ? new(null, fraction) : throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in [0, 1]");

    /// <summary>Whether this is all of the epoch (1.0, or a count at least <paramref name="perEpoch"/>).</summary>
    public bool IsAll(long? perEpoch) => FractionOfEpoch == 1.0 || (Count is long c && perEpoch is long n && c >= n);

    /// <summary>
    /// The number of batches for an epoch of <paramref name="perEpoch"/> batches: the count, or
    /// ⌊fraction × perEpoch⌋ as Lightning rounds, at least 1 when the fraction is not 0.
    /// </summary>
    public long Resolve(long perEpoch)
    {
        if (Count is long c) return c;
        double f = FractionOfEpoch ?? 1.0;
        return f == 0 ? 0 : Math.Max(1, (long)Math.Floor(f * perEpoch));
    }

    /// <inheritdoc />
    public override string ToString() => Count is long c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : (FractionOfEpoch ?? 1.0).ToString("0.0###", System.Globalization.CultureInfo.InvariantCulture);
}
