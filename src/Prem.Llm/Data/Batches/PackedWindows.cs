using System.Collections;

namespace Prem.Llm.Data;

/// <summary>
/// The windows of a <see cref="PackedTokenDataset"/> as a list of examples for the batch loader, in stream
/// order. Nothing is read here: a window's tokens are read when it is collated.
/// </summary>
public sealed class PackedWindows : IReadOnlyList<PackedWindow>
{
    private readonly PackedTokenDataset _dataset;

    /// <summary>Lists the windows of <paramref name="dataset"/>.</summary>
    /// <exception cref="ArgumentException">More windows than a list can index.</exception>
    public PackedWindows(PackedTokenDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Count > int.MaxValue) throw new ArgumentException($"{dataset.Count} windows exceed the loader's limit of {int.MaxValue}.", nameof(dataset));
        _dataset = dataset;
    }

    /// <inheritdoc />
    public int Count => (int)_dataset.Count;

    /// <inheritdoc />
    public PackedWindow this[int index] => (uint)index < (uint)Count
        ? new PackedWindow(_dataset, index)
        : throw new ArgumentOutOfRangeException(nameof(index), $"window {index} outside [0, {Count}).");

    /// <inheritdoc />
    public IEnumerator<PackedWindow> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return new PackedWindow(_dataset, i);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
