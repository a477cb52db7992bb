using System.Diagnostics;
using Prem.Llm.Text;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>
/// Runs lm-eval 0-shot multiple-choice tasks: picks documents, renders and tokenizes every request,
/// scores them all in one call (so the scorer can sort and batch across tasks), and aggregates.
/// <code>var results = new EvalRunner(scorer, tokenizer).Run(TaskRegistry.Resolve("arc_easy,mmlu"), "data/eval");</code>
/// </summary>
public sealed class EvalRunner
{
    private readonly ILogLikelihoodScorer _scorer;
    private readonly PairEncoder _encoder;
    private readonly EvalOptions _options;

    /// <summary>Creates a runner over a scorer and the model's tokenizer.</summary>
    public EvalRunner(ILogLikelihoodScorer scorer, ITextTokenizer tokenizer, EvalOptions? options = null)
    {
        _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        _options = options ?? new EvalOptions();
        _encoder = new PairEncoder(tokenizer ?? throw new ArgumentNullException(nameof(tokenizer)), _options.AddBos);
    }

    /// <summary>Loads the tasks' data from <paramref name="dataDir"/> and runs them.</summary>
    public EvalResults Run(IReadOnlyList<EvalTask> tasks, string dataDir) =>
        Run(tasks, TaskDataLoader.Load(tasks, dataDir));

    /// <summary>Runs the tasks on already loaded documents (keyed by task name).</summary>
    public EvalResults Run(IReadOnlyList<EvalTask> tasks, IReadOnlyDictionary<string, IReadOnlyList<EvalDocument>> documents)
    {
        var clock = Stopwatch.StartNew();
        var selected = new List<(EvalTask Task, EvalDocument[] Docs, int Original)>();
        foreach (var task in tasks)
        {
            if (!documents.TryGetValue(task.Name, out var all)) throw new EvaluationException($"no documents loaded for task {task.Name}");
            var picks = DocumentSampler.Select(all.Count, _options.Limit, _options.SampleSeed);
            if (picks.Length == 0) throw new EvaluationException($"task {task.Name}: the limit selects no documents");
            selected.Add((task, picks.Select(i => all[i]).ToArray(), all.Count));
        }

        var strings = new List<(string Context, string Continuation)>();
        var requests = new List<TokenizedRequest>();
        foreach (var (_, docs, _) in selected)
            foreach (var doc in docs)
                for (int c = 0; c < doc.ChoiceCount; c++)
                {
                    var pair = doc.Request(c);
                    strings.Add(pair);
                    try
                    {
                        requests.Add(_encoder.Encode(pair.Context, pair.Continuation));
                    }
                    catch (EvaluationException e)
                    {
                        throw new EvaluationException($"task {doc.TaskName}, document {doc.Id}, choice {c}: {e.Message}", innerException: e);
                    }
                }

        var scores = _scorer.Score(requests, ProgressAdapter(requests.Count, clock));

        var results = new List<TaskResult>();
        int next = 0;
        foreach (var (task, docs, original) in selected)
        {
            var docResults = new List<DocumentResult>(docs.Length);
            int truncated = 0;
            foreach (var doc in docs)
            {
                var ll = new double[doc.ChoiceCount];
                var greedy = new bool[doc.ChoiceCount];
                for (int c = 0; c < doc.ChoiceCount; c++, next++)
                {
                    (ll[c], greedy[c]) = (scores[next].Value, scores[next].IsGreedy);
                    if (requests[next].IsTruncated(_scorer.MaxLength)) truncated++;
                }
                docResults.Add(new DocumentResult(doc, ll, greedy));
            }
            results.Add(new TaskResult(task, docResults, original, truncated));
        }

        if (_options.DumpPath is { } dumpPath)
            RequestDump.Write(dumpPath, results, strings, requests, _scorer.MaxLength);
        return new EvalResults(results, GroupResult.MmluGroups(results), _options.Limit, _options.SampleSeed, _scorer.MaxLength, clock.Elapsed);
    }

    private Progress? ProgressAdapter(int total, Stopwatch clock) =>
        _options.Progress is { } sink ? new Progress(sink, total, clock) : null;

    // Synchronous IProgress (System.Progress<T> posts to a thread pool and could report out of order).
    private sealed class Progress(IProgress<EvalProgress> sink, int total, Stopwatch clock) : IProgress<int>
    {
        private long _done;

        public void Report(int value)
        {
            _done += value;
            sink.Report(new EvalProgress(_done, total, clock.Elapsed));
        }
    }
}
