using System.Diagnostics;
using Prem.Llm.Text;

namespace Prem.Llm.Data.Prepare;

/// <summary>
/// The logic of <c>prem prepare</c>, apart from argument parsing: loads the tokenizer through the
/// given seam, fingerprints its files, runs <see cref="CorpusPreparer"/>, writes progress lines to
/// <c>log</c> and the JSON summary to <c>output</c>, and maps failures to exit codes.
/// </summary>
public static class PrepareJob
{
    /// <summary>Runs a preparation.</summary>
    /// <param name="tokenizerPath">Tokenizer file or folder, as given on the command line.</param>
    /// <param name="loadTokenizer">Turns <paramref name="tokenizerPath"/> into a tokenizer (the tokenizer package's loader).</param>
    /// <param name="options">Settings; <see cref="PrepareOptions.TokenizerHash"/> is replaced by the fingerprint of <paramref name="tokenizerPath"/>.</param>
    /// <param name="output">Receives the JSON summary.</param>
    /// <param name="log">Receives progress and error lines.</param>
    /// <param name="cancellationToken">Stops after the current chunk; rerunning resumes.</param>
    /// <returns>
    /// 0 on success, 1 on bad input data or a path that cannot be used (a missing input, an output folder that cannot
    /// be written), 2 on bad settings or no tokenizer (messages on <paramref name="log"/>), 130 when cancelled. Input and output paths are checked before
    /// the tokenizer loads, and the output's earlier preparation (if any) before any record is read.
    /// </returns>
    public static int Run(string tokenizerPath, Func<string, ITextTokenizer> loadTokenizer, PrepareOptions options,
        TextWriter output, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loadTokenizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(log);
        try
        {
            // The input and the output folder before the tokenizer loads: a wrong path fails at once.
            CorpusFiles.Enumerate(options.Input);
            if (WritableFolder.Problem(options.Output) is { } problem)
            {
                log.WriteLine($"prem: error: {options.Output}: cannot write the output folder: {problem}");
                return 1;
            }
            var tokenizer = loadTokenizer(tokenizerPath);
            var run = options with { TokenizerHash = TokenizerFingerprint.Of(tokenizerPath) };
            var clock = Stopwatch.StartNew();
            var progress = new LogProgress(log, clock);
            var summary = new CorpusPreparer(tokenizer, run).Run(progress, cancellationToken);
            CopyTokenizer(tokenizerPath, options.Output);
            foreach (var (file, count) in summary.InvalidUtf8Replaced)
                log.WriteLine($"prem: note: {file}: {count} invalid UTF-8 sequence{(count == 1 ? "" : "s")} replaced with U+FFFD (--replace-invalid-utf8).");
            output.WriteLine(summary.ToJson());
            return 0;
        }
        catch (DataFormatException e)
        {
            log.WriteLine($"prem: error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            log.WriteLine($"prem: error: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            log.WriteLine("cancelled; run the same command again to resume");
            return 130;
        }
    }

    /// <summary>The folder under a prepared corpus that holds a copy of its tokenizer's files.</summary>
    internal const string TokenizerFolder = "tokenizer";

    /// <summary>
    /// Copies the tokenizer files into <c>output/tokenizer/</c>, so a run trained on the corpus can export a model
    /// folder that loads on its own (the pretraining recipe takes the tokenizer from there when none is named).
    /// </summary>
    private static void CopyTokenizer(string tokenizerPath, string output)
    {
        var files = TokenizerFileSet.In(tokenizerPath);
        if (files.Count == 0) return;
        string folder = Path.Combine(output, TokenizerFolder);
        Directory.CreateDirectory(folder);
        foreach (var file in files) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
    }

    // Writes synchronously: Progress<T> would post to the thread pool and could print after the summary.
    private sealed class LogProgress(TextWriter log, Stopwatch clock) : IProgress<PrepareProgress>
    {
        public void Report(PrepareProgress p)
        {
            double mb = p.InputBytes / 1e6, s = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            log.WriteLine($"chunk {p.Chunks}: {p.Records} records, {p.Documents} documents, {p.Tokens} tokens, {mb:F1} MB ({mb / s:F1} MB/s)");
        }
    }
}
