using static TorchSharp.torch;

namespace Prem.Llm.Data;

/// <summary>
/// Checks a batch's token ids against the model's vocabulary before the forward pass: an id outside
/// [0, vocab) would otherwise index past the embedding table inside native code and end the process.
/// </summary>
internal static class TokenIdCheck
{
    /// <summary>Throws <paramref name="fail"/>'s exception naming <paramref name="where"/>, the row, position and id of the first bad id.</summary>
    public static void Require(TrainingBatch batch, long vocabSize, string where, Func<string, Exception> fail)
    {
        switch (batch)
        {
            case CausalLmBatch causal:
                Require(causal, vocabSize, where, fail);
                break;
            case PreferenceBatch pair:
                Require(pair.Chosen, vocabSize, where + " (chosen)", fail);
                Require(pair.Rejected, vocabSize, where + " (rejected)", fail);
                break;
        }
    }

    static void Require(CausalLmBatch batch, long vocabSize, string where, Func<string, Exception> fail)
    {
        Check(batch.InputIds, vocabSize, false, "token id", batch.ExampleIds, where, fail);
        if (batch.Labels is { } labels) Check(labels, vocabSize, true, "label", batch.ExampleIds, where, fail);
        if (batch.Targets is { } targets) Check(targets, vocabSize, true, "target", batch.ExampleIds, where, fail);
    }

    static void Check(Tensor ids, long vocabSize, bool allowIgnore, string what, IReadOnlyList<long>? exampleIds, string where, Func<string, Exception> fail)
    {
        using var scope = NewDisposeScope();
        var bad = ids.lt(0).logical_or(ids.ge(vocabSize));
        if (allowIgnore) bad = bad.logical_and(ids.ne(TrainingBatch.IgnoreIndex));
        if (!bad.any().item<bool>()) return;
        var first = bad.nonzero()[0].cpu().data<long>().ToArray();
        long row = first[0], position = first.Length > 1 ? first[1] : 0;
        long id = ids.cpu().flatten()[row * (ids.dim() > 1 ? ids.shape[1] : 1) + position].item<long>();
        string example = exampleIds is { } e && row < e.Count ? $", example {e[(int)row]}" : "";
        throw fail($"{where}: {what} {id} at row {row}{example}, position {position} is outside the model's vocabulary [0, {vocabSize}); " +
                   "the data was tokenized with a larger tokenizer than the model's");
    }
}
