using System.CommandLine;
using Prem.Llm.Evaluation;
using Prem.Llm.Text;
using Prem.Llm.Reporting;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Cli.Commands;

/// <summary>
/// Loads a model folder as a scorer and its tokenizer; <paramref name="batchSize"/> goes to the scorer and
/// <paramref name="maxLength"/> (null: the model's max_position_embeddings) sets the window; <paramref name="device"/> is
/// <c>--device</c> (null: the CPU).
/// </summary>
public delegate (ILogLikelihoodScorer Scorer, ITextTokenizer Tokenizer) EvalModelLoader(string modelDir, int batchSize, int? maxLength, string? device);

/// <summary>
/// <c>prem eval --model DIR --tasks arc_easy,…,mmlu [--limit N] [--batch-size B] [--output results.json]</c>:
/// lm-eval 0-shot multiple-choice tasks, or with <c>--perplexity FILE</c> rolling perplexity of a text file.
/// </summary>
public static class EvalCommand
{
    /// <summary>The command with an explicit model loader.</summary>
    public static Command Create(EvalModelLoader loader)
    {
        var model = new Option<string>("--model") { Description = "Model folder (Hugging Face layout)", Required = true };
        var tasks = new Option<string>("--tasks") { Description = "Comma-separated tasks", DefaultValueFactory = _ => "arc_easy,arc_challenge,openbookqa,piqa,winogrande,mmlu" };
        var limit = new Option<int?>("--limit") { Description = "At most N documents per task; MMLU counts each of its 57 subjects as a task, so mmlu runs up to 57 × N" };
        var seed = new Option<ulong?>("--sample-seed") { Description = "With --limit: a seeded random subset instead of the first N" };
        var batch = new Option<int>("--batch-size") { Description = "Requests per forward pass", DefaultValueFactory = _ => 16 };
        var output = new Option<string?>("--output") { Description = "Write lm-eval-shaped results JSON here" };
        var dump = new Option<string?>("--dump") { Description = "Write every request (strings, ids, loglik, is_greedy) as JSONL here" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder with <task>/<split>.jsonl (default: data/eval here, else the copy next to the tool or in its repository)" };
        var accNorm = new Option<bool>("--acc-norm") { Description = "Show acc_norm in the table where the task has it" };
        var perplexity = new Option<string?>("--perplexity") { Description = "Instead of tasks: perplexity and bits-per-byte of this text file" };
        var maxLength = new Option<int?>("--max-length") { Description = "Window in tokens (lm-eval's max_length; default: the model's max_position_embeddings)" };
        var device = CliDevice.Option("default cpu");
        var stride = new Option<int?>("--stride") { Description = "Perplexity: tokens predicted per window after the first (default: the window)" };

        var command = new Command("eval", "Evaluate a model on lm-eval 0-shot tasks or a text file's perplexity");
        foreach (var option in new Option[] { model, tasks, limit, seed, batch, output, dump, dataDir, accNorm, perplexity, maxLength, stride, device })
            command.Options.Add(option);
        command.SetAction(CliAction.Of((parse, stdout) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            string modelDir = parse.GetValue(model)!;
            if (parse.GetValue(limit) is <= 0) throw new CliError($"--limit must be positive, got {parse.GetValue(limit)}.");
            if (parse.GetValue(batch) <= 0) throw new CliError($"--batch-size must be positive, got {parse.GetValue(batch)}.");
            if (parse.GetValue(output) is { } outputPath) OutputFile.Check(outputPath, "--output");
            if (parse.GetValue(dump) is { } dumpPath) OutputFile.Check(dumpPath, "--dump");
            var taskList = parse.GetValue(perplexity) is null ? TaskRegistry.Resolve(parse.GetValue(tasks)!) : null;
            string? evalData = taskList is null ? null : EvalData.Resolve(parse.GetValue(dataDir));
            var (scorer, tokenizer) = loader(modelDir, parse.GetValue(batch), parse.GetValue(maxLength), parse.GetValue(device));
            if (parse.GetValue(perplexity) is { } textFile)
            {
                var ppl = PerplexityEvaluator.EvaluateFile(scorer, tokenizer, textFile, parse.GetValue(stride));
                stdout.WriteLine($"tokens {ppl.Tokens}, token perplexity {ppl.TokenPerplexity:F4}, word perplexity {ppl.WordPerplexity:F4}, bits per byte {ppl.BitsPerByte:F4}");
                return 0;
            }
            var options = new EvalOptions
            {
                Limit = parse.GetValue(limit),
                SampleSeed = parse.GetValue(seed),
                DumpPath = parse.GetValue(dump),
                Progress = new ConsoleProgressReporter(),
            };
            var results = new EvalRunner(scorer, tokenizer, options).Run(taskList!, evalData!);
            if (parse.GetValue(output) is { } path)
            {
                using var stream = File.Create(path);
                ResultsJson.Write(stream, results, modelDir);
            }
            foreach (var t in results.Tasks.Where(t => t.TruncatedRequests > 0))
                stderr.WriteLine($"{t.Task.Name}: {t.TruncatedRequests} requests cut from the left to the {results.MaxLength}-token window");
            stdout.Write(ResultsTable.Render(results, Path.GetFileName(Path.TrimEndingDirectorySeparator(modelDir)), parse.GetValue(accNorm)));
            stdout.WriteLine($"({results.Tasks.Sum(t => t.Documents.Count)} documents in {results.Elapsed.TotalSeconds:F1} s)");
            return 0;
        }));
        return command;
    }
}
