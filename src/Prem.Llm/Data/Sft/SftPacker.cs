namespace Prem.Llm.Data;

/// <summary>
/// Packs SFT examples into rows of at most <c>rowLength</c> tokens, greedily in order (as torchtune's
/// <c>PackedDataset</c>): an example goes into the current row if it fits, else it starts a new row; an
/// example is never split. Each token gets the 0-based index of its example within the row as document
/// id, so the model's packed-sequence mode keeps attention (and positions) within an example. No loss
/// crosses examples either: labels are aligned with inputs and every example starts with BOS, whose label
/// is −100, so the shifted target of an example's last token is ignored.
/// </summary>
internal static class SftPacker
{
    /// <summary>The packed rows (unpadded; the collator pads the last one of a batch).</summary>
    /// <exception cref="ArgumentException">An example longer than <paramref name="rowLength"/>.</exception>
    public static List<SftExample> Pack(IReadOnlyList<SftExample> examples, int rowLength)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        var rows = new List<SftExample>();
        var ids = new List<int>(rowLength);
        var labels = new List<int>(rowLength);
        var docs = new List<int>(rowLength);
        string? source = null;
        bool truncated = false;
        int doc = 0;
        foreach (var e in examples)
        {
            if (e.Length > rowLength)
                throw new ArgumentException($"{e.Source}: {e.Length} tokens do not fit a row of {rowLength}.", nameof(examples));
            if (ids.Count + e.Length > rowLength) Flush();
            source ??= e.Source;
            truncated |= e.Truncated;
            ids.AddRange(e.InputIds);
            labels.AddRange(e.Labels);
            for (int i = 0; i < e.Length; i++) docs.Add(doc);
            doc++;
        }
        Flush();
        return rows;

        void Flush()
        {
            if (ids.Count == 0) return;
            rows.Add(new SftExample([.. ids], [.. labels], source!, truncated, [.. docs]));
            ids.Clear();
            labels.Clear();
            docs.Clear();
            source = null;
            truncated = false;
            doc = 0;
        }
    }
}
