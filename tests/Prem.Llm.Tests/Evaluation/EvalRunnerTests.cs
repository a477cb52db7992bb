using System.Text.Json;
using Prem.Llm.Evaluation;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Tests.Evaluation;

public class EvalRunnerTests
{
    [Fact]
    public void Run_scores_every_choice_like_the_direct_computation()
    {
        using var model = new TinyCausalLm(vocab: 64, maxLength: 128);
        var tokenizer = new WordTokenizer(64);
        var tasks = TaskRegistry.Resolve("arc_easy,winogrande,piqa");
        var progress = new List<EvalProgress>();
        var runner = new EvalRunner(new PrefixReuseScorer(model, 4), tokenizer, new EvalOptions { Limit = 6, Progress = new Sync(progress.Add) });
        var results = runner.Run(tasks, EvalTestData.SliceDir);

        var encoder = new PairEncoder(tokenizer);
        foreach (var task in results.Tasks)
        {
            Assert.Equal(6, task.Documents.Count);
            var acc = new List<double>();
            foreach (var doc in task.Documents)
            {
                var ll = Enumerable.Range(0, doc.Document.ChoiceCount)
                    .Select(c => ScorerReference.Direct(model, encoder.Encode(doc.Document.Request(c).Context, doc.Document.Request(c).Continuation)).LogLikelihood)
                    .ToArray();
                for (int c = 0; c < ll.Length; c++) Assert.Equal(ll[c], doc.LogLikelihoods[c], 1e-4);
                acc.Add(Array.IndexOf(ll, ll.Max()) == doc.Document.Gold ? 1 : 0);
            }
            Assert.Equal(acc.Average(), task.Acc, 12);
        }
        Assert.Equal(results.Tasks.Sum(t => t.Documents.Sum(d => d.Document.ChoiceCount)), progress[^1].Total);
        Assert.Equal(progress[^1].Total, progress[^1].Done);
        Assert.Equal(25, results.Task("winogrande")!.OriginalCount);
    }

    [Fact]
    public void Full_mmlu_groups_and_the_dump_trace_every_request()
    {
        using var model = new TinyCausalLm(vocab: 64, maxLength: 48);
        string dump = TestData.TempFile();
        var runner = new EvalRunner(new CausalLmScorer(model.Forward, model.MaxLength, 32), new WordTokenizer(64), new EvalOptions { DumpPath = dump });
        var results = runner.Run(TaskRegistry.Resolve("mmlu"), EvalTestData.SliceDir);

        Assert.Equal(["mmlu", "mmlu_stem", "mmlu_other", "mmlu_social_sciences", "mmlu_humanities"], results.Groups.Select(g => g.Name));
        var all = results.Tasks.SelectMany(t => t.Documents).ToArray();
        Assert.Equal(57, all.Length);
        Assert.Equal(all.Average(d => d.Acc), results.Group("mmlu")!.Acc, 12);
        Assert.True(results.Tasks.Sum(t => t.TruncatedRequests) > 0); // a 48-token window cuts long questions

        var lines = File.ReadAllLines(dump);
        File.Delete(dump);
        Assert.Equal(57 * 4, lines.Length);
        using var first = JsonDocument.Parse(lines[1]);
        var row = first.RootElement;
        Assert.Equal("mmlu_abstract_algebra", row.GetProperty("task").GetString());
        Assert.Equal(" B", row.GetProperty("continuation").GetString());
        Assert.Equal(all[0].LogLikelihoods[1], row.GetProperty("loglikelihood").GetDouble());
        Assert.Equal(1, row.GetProperty("continuation_ids").GetArrayLength());
        Assert.StartsWith("The following are", row.GetProperty("context").GetString());
    }

    [Fact]
    public void Seeded_limit_is_deterministic()
    {
        using var model = new TinyCausalLm();
        var options = new EvalOptions { Limit = 5, SampleSeed = 9 };
        var a = new EvalRunner(new CausalLmScorer(model.Forward, model.MaxLength), new WordTokenizer(), options).Run([ArcTask.Easy], EvalTestData.SliceDir);
        var b = new EvalRunner(new PrefixReuseScorer(model), new WordTokenizer(), options).Run([ArcTask.Easy], EvalTestData.SliceDir);
        Assert.Equal(a.Tasks[0].Documents.Select(d => d.Document.Id), b.Tasks[0].Documents.Select(d => d.Document.Id));
        Assert.Equal(a.Tasks[0].Acc, b.Tasks[0].Acc);
    }

    private sealed class Sync(Action<EvalProgress> report) : IProgress<EvalProgress>
    {
        public void Report(EvalProgress value) => report(value);
    }
}
