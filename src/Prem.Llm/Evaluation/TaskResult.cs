using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>The scored documents of one leaf task and its lm-eval metrics.</summary>
public sealed class TaskResult
{
    /// <summary>Aggregates <paramref name="documents"/>.</summary>
    /// <param name="task">The task.</param>
    /// <param name="documents">The scored documents.</param>
    /// <param name="originalCount">Documents in the data before <c>--limit</c> (lm-eval's <c>n-samples.original</c>).</param>
    /// <param name="truncatedRequests">Requests whose input was cut from the left to fit the window.</param>
    public TaskResult(EvalTask task, IReadOnlyList<DocumentResult> documents, int originalCount, int truncatedRequests)
    {
        if (documents.Count == 0) throw new EvaluationException($"task {task.Name}: no documents to aggregate");
        Task = task;
        Documents = documents;
        OriginalCount = originalCount;
        TruncatedRequests = truncatedRequests;
        var acc = documents.Select(d => d.Acc).ToArray();
        Acc = EvalStatistics.Mean(acc);
        AccStderr = EvalStatistics.MeanStderr(acc);
        if (task.HasAccNorm)
        {
            var norm = documents.Select(d => d.AccNorm ?? throw new EvaluationException($"task {task.Name}: document {d.Document.Id} lacks acc_norm lengths")).ToArray();
            AccNorm = EvalStatistics.Mean(norm);
            AccNormStderr = EvalStatistics.MeanStderr(norm);
        }
    }

    /// <summary>The task.</summary>
    public EvalTask Task { get; }

    /// <summary>The scored documents, in data order.</summary>
    public IReadOnlyList<DocumentResult> Documents { get; }

    /// <summary>Documents in the data before the limit.</summary>
    public int OriginalCount { get; }

    /// <summary>Requests cut from the left to fit the window (counted, never silent).</summary>
    public int TruncatedRequests { get; }

    /// <summary>Mean accuracy.</summary>
    public double Acc { get; }

    /// <summary>Standard error of <see cref="Acc"/>; null (lm-eval "N/A") for a single document.</summary>
    public double? AccStderr { get; }

    /// <summary>Mean length-normalized accuracy; null when the task has none.</summary>
    public double? AccNorm { get; }

    /// <summary>Standard error of <see cref="AccNorm"/>.</summary>
    public double? AccNormStderr { get; }
}
