using Prem.Llm.Text;

namespace Prem.Llm.Data;

/// <summary>
/// Stacks preference pairs into a <see cref="PreferenceBatch"/>: each pair becomes the rows
/// prompt + chosen and prompt + rejected, labelled on the response tokens only, then the rows are
/// collated like SFT rows (<see cref="SftCollator"/>: right padding with the pad id, −100, mask 0).
/// </summary>
public static class PreferenceCollator
{
    /// <summary>Collates <paramref name="pairs"/>: chosen rows first, then rejected rows in the same order.</summary>
    public static PreferenceBatch Collate(IReadOnlyList<PreferenceExample> pairs, int padId, int padToMultipleOf = 1, LoaderState? state = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) throw new ArgumentException("no pairs to collate.", nameof(pairs));
        var rows = pairs.Select(p => Row(p, p.ChosenIds)).Concat(pairs.Select(p => Row(p, p.RejectedIds))).ToList();
        // The SFT batch's tensors pass to the preference batch, which disposes them.
        var sft = SftCollator.Collate(rows, padId, padToMultipleOf);
        return new PreferenceBatch(sft.InputIds, sft.Labels, sft.AttentionMask, pairs.Count, state);
    }

    private static SftExample Row(PreferenceExample pair, int[] response)
    {
        var labels = new int[pair.PromptIds.Length + response.Length];
        Array.Fill(labels, ConversationEncoder.IgnoreIndex, 0, pair.PromptIds.Length);
        response.CopyTo(labels, pair.PromptIds.Length);
        return new SftExample([.. pair.PromptIds, .. response], labels, pair.Source);
    }
}
