using static TorchSharp.torch;

namespace Prem.Llm.Objectives;

/// <summary>
/// One micro-batch as named tensors, the trainer's only view of data. Causal-LM batches carry
/// <see cref="InputIds"/> [batch, seq] int64 and either <see cref="Labels"/> (HF style: aligned with
/// the inputs, shifted by the objective) or <see cref="Targets"/> (already shifted: target t is the
/// token after input t); −100 marks positions that are not trained. Preference batches carry the
/// <c>chosen_*</c> and <c>rejected_*</c> tensors and <see cref="ExampleIds"/>. The batch owns its
/// tensors and disposes them.
/// </summary>
public sealed class TrainingBatch : IDisposable
{
    /// <summary>Key of the input token ids, [batch, seq] int64.</summary>
    public const string InputIds = "input_ids";
    /// <summary>Key of HF-style labels, [batch, seq] int64, −100 ignored; shifted by the objective.</summary>
    public const string Labels = "labels";
    /// <summary>Key of already shifted targets, [batch, seq] int64, −100 ignored.</summary>
    public const string Targets = "targets";
    /// <summary>Key of the padding mask, [batch, seq], nonzero for real tokens.</summary>
    public const string AttentionMask = "attention_mask";
    /// <summary>Key of packed document ids, [batch, seq] int64.</summary>
    public const string DocumentIds = "document_ids";
    /// <summary>Key of the chosen responses' input ids (prompt + chosen), [pairs, seq] int64.</summary>
    public const string ChosenInputIds = "chosen_input_ids";
    /// <summary>Key of the chosen labels (−100 on the prompt and padding), [pairs, seq] int64.</summary>
    public const string ChosenLabels = "chosen_labels";
    /// <summary>Key of the chosen padding mask, [pairs, seq].</summary>
    public const string ChosenAttentionMask = "chosen_attention_mask";
    /// <summary>Key of the rejected responses' input ids, [pairs, seq] int64.</summary>
    public const string RejectedInputIds = "rejected_input_ids";
    /// <summary>Key of the rejected labels, [pairs, seq] int64.</summary>
    public const string RejectedLabels = "rejected_labels";
    /// <summary>Key of the rejected padding mask, [pairs, seq].</summary>
    public const string RejectedAttentionMask = "rejected_attention_mask";

    /// <summary>Label value of positions that do not contribute to the loss.</summary>
    public const long IgnoreIndex = -100;

    private readonly Dictionary<string, Tensor> tensors;

    /// <summary>Creates a batch that takes ownership of <paramref name="tensors"/>.</summary>
    /// <param name="tensors">Named tensors (see the key constants).</param>
    /// <param name="exampleIds">Stable ids of the rows' examples (needed by cached DPO reference log-probs).</param>
    public TrainingBatch(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyList<long>? exampleIds = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        this.tensors = new Dictionary<string, Tensor>(tensors, StringComparer.Ordinal);
        ExampleIds = exampleIds;
    }

    /// <summary>Stable ids of the rows' examples, or null.</summary>
    public IReadOnlyList<long>? ExampleIds { get; }

    /// <summary>The names of the tensors in the batch.</summary>
    public IEnumerable<string> Keys => tensors.Keys;

    /// <summary>True when the batch has a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => tensors.ContainsKey(name);

    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public Tensor? Find(string name) => tensors.GetValueOrDefault(name);

    /// <summary>The tensor called <paramref name="name"/>; throws naming the key when it is missing.</summary>
    public Tensor this[string name] => tensors.TryGetValue(name, out var t) ? t
        : throw new ArgumentException($"The batch has no '{name}' tensor (it has: {string.Join(", ", tensors.Keys)}).", nameof(name));

    /// <summary>Number of token positions fed to the model (all input-id tensors' elements), for throughput.</summary>
    public long TokenCount =>
        tensors.Where(kv => kv.Key.EndsWith(InputIds, StringComparison.Ordinal)).Sum(kv => kv.Value.numel());

    /// <summary>Disposes every tensor of the batch.</summary>
    public void Dispose()
    {
        foreach (var t in tensors.Values) t.Dispose();
        tensors.Clear();
    }
}
