namespace Prem.Llm.Data;

/// <summary>
/// Stacks preference pairs into a <see cref="PreferenceBatch"/>: each pair becomes the rows
/// prompt + chosen and prompt + rejected, labelled on the response tokens only; all 2 × pairs rows are
/// padded to one length like SFT rows (<see cref="SftCollator"/>: right padding with the pad id, −100,
/// mask 0) and split into the chosen and the rejected row sets.
/// </summary>
public sealed class PreferenceCollator : ICollator<PreferenceExample, PreferenceBatch>
{
    private readonly SftCollator _rows;

    /// <summary>Creates the collator.</summary>
    /// <param name="padId">The padding id (<see cref="PreferenceDataset.PadId"/>).</param>
    /// <param name="padToMultipleOf">Batches are padded to a length that is a multiple of this.</param>
    public PreferenceCollator(int padId, int padToMultipleOf = 1) => _rows = new SftCollator(padId, padToMultipleOf);

    /// <summary>The padding id.</summary>
    public int PadId => _rows.PadId;

    /// <summary>Batches are padded to a length that is a multiple of this.</summary>
    public int PadToMultipleOf => _rows.PadToMultipleOf;

    /// <summary>The longer of prompt + chosen and prompt + rejected (<see cref="PreferenceExample.Length"/>).</summary>
    public int LengthOf(PreferenceExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        return example.Length;
    }

    /// <summary>Collates <paramref name="examples"/>: row i of each row set is pair i.</summary>
    /// <param name="examples">The pairs.</param>
    /// <param name="exampleIds">The pairs' stable ids, or null.</param>
    public PreferenceBatch Collate(IReadOnlyList<PreferenceExample> examples, IReadOnlyList<long>? exampleIds = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("no pairs to collate.", nameof(examples));
        var rows = examples.Select(p => Row(p, p.ChosenIds)).Concat(examples.Select(p => Row(p, p.RejectedIds))).ToList();
        int pairs = examples.Count;
        using var stacked = _rows.Collate(rows);
        var chosen = new CausalLmBatch(stacked.InputIds.narrow(0, 0, pairs).clone(), labels: stacked.Labels!.narrow(0, 0, pairs).clone(),
            attentionMask: stacked.AttentionMask!.narrow(0, 0, pairs).clone());
        var rejected = new CausalLmBatch(stacked.InputIds.narrow(0, pairs, pairs).clone(), labels: stacked.Labels.narrow(0, pairs, pairs).clone(),
            attentionMask: stacked.AttentionMask.narrow(0, pairs, pairs).clone());
        return new PreferenceBatch(chosen, rejected, exampleIds);
    }

    private static SftExample Row(PreferenceExample pair, int[] response)
    {
        var labels = new int[pair.PromptIds.Length + response.Length];
        Array.Fill(labels, (int)TrainingBatch.IgnoreIndex, 0, pair.PromptIds.Length);
        response.CopyTo(labels, pair.PromptIds.Length);
        return new SftExample([.. pair.PromptIds, .. response], labels, pair.Source);
    }
}
