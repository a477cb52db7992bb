using System.CommandLine;
using Prem.Llm.Data;
using Prem.Llm.Text;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Cli.Commands;

/// <summary>
/// <c>prem prepare</c>: corpus → token shards + manifest, printing a JSON summary. The logic lives in
/// <see cref="PrepareJob"/>; this file only maps arguments.
/// </summary>
public static class PrepareCommand
{
    /// <summary>The command, loading tokenizers with <see cref="Text.TokenizerLoader"/>.</summary>
    public static Command Create() => Create(path => Text.TokenizerLoader.Load(path));

    /// <summary>The command, loading tokenizers with <paramref name="loadTokenizer"/>.</summary>
    public static Command Create(Func<string, ITextTokenizer> loadTokenizer)
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "Tokenizer file or folder", Required = true };
        var input = new Option<string>("--input") { Description = "Corpus file or folder (.jsonl, .txt, .md; optionally .gz/.zst)", Required = true };
        var output = new Option<string>("--output") { Description = "Output folder for shards and manifest.json", Required = true };
        var seqLen = new Option<int>("--seq-len") { Description = "Training sequence length (windows hold seq-len + 1 tokens)", Required = true };
        var workers = new Option<int>("--workers") { Description = "Tokenizing threads (output does not depend on it)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share of documents for the validation split" };
        var minTokens = new Option<int>("--min-tokens") { Description = "Skip documents with fewer tokens" };
        var dropCode = new Option<bool>("--drop-code") { Description = "Skip documents that look like source code" };
        var seed = new Option<long>("--seed") { Description = "Seed of the validation split", DefaultValueFactory = _ => 42 };
        var textField = new Option<string>("--text-field") { Description = "JSONL field holding the text", DefaultValueFactory = _ => "text" };
        var skipBad = new Option<bool>("--skip-bad-lines") { Description = "Count malformed JSONL lines instead of failing" };
        var blankLine = new Option<bool>("--split-text-on-blank-lines") { Description = "Plain text: one document per blank-line-separated block (default: per file)" };
        var replace = new Option<bool>("--replace-invalid-utf8") { Description = "Replace bytes that are not UTF-8 with U+FFFD and report how many per file (default: an error naming the file and byte offset)" };
        var shardRecords = new Option<int>("--records-per-shard") { Description = "Input records per shard (the unit of resumption)", DefaultValueFactory = _ => 16384 };

        var command = new Command("prepare", "Tokenize a pretraining corpus into packed token shards (resumable)")
        {
            tokenizer, input, output, seqLen, workers, valFraction, minTokens, dropCode, seed, textField, skipBad, blankLine, shardRecords, replace,
        };
        command.SetAction(CliAction.OfAsync((parse, cancellationToken) =>
        {
            if (parse.GetValue(seqLen) <= 0) throw new CliError($"--seq-len must be positive, got {parse.GetValue(seqLen)}.");
            if (parse.GetValue(shardRecords) <= 0) throw new CliError($"--records-per-shard must be positive, got {parse.GetValue(shardRecords)}.");
            if (parse.GetValue(minTokens) < 0) throw new CliError($"--min-tokens must be ≥ 0, got {parse.GetValue(minTokens)}.");
            if (!(parse.GetValue(valFraction) is >= 0 and < 1)) throw new CliError($"--val-fraction must be in [0, 1), got {parse.GetValue(valFraction)}.");
            var options = new PrepareOptions
            {
                Input = parse.GetValue(input)!,
                Output = parse.GetValue(output)!,
                TokenizerHash = "",
                SeqLen = parse.GetValue(seqLen),
                Workers = Math.Max(1, parse.GetValue(workers)),
                ValFraction = parse.GetValue(valFraction),
                MinTokens = parse.GetValue(minTokens),
                DropCode = parse.GetValue(dropCode),
                Seed = parse.GetValue(seed),
                TextField = parse.GetValue(textField)!,
                SkipBadLines = parse.GetValue(skipBad),
                ReplaceInvalidUtf8 = parse.GetValue(replace),
                TextFileSplit = parse.GetValue(blankLine) ? TextFileSplit.BlankLine : TextFileSplit.WholeFile,
                RecordsPerShard = parse.GetValue(shardRecords),
            };
            return Task.Run(() => PrepareJob.Run(parse.GetValue(tokenizer)!, loadTokenizer, options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        }));
        return command;
    }
}
