using System.CommandLine;
using Prem.Llm.Text;

namespace Prem.Llm.Cli.Commands;

/// <summary>
/// <c>prem tokenize --tokenizer DIR|FILE --input IN.jsonl [--output OUT.jsonl] [--bos] [--eos] [--show]</c>:
/// a thin shell over <see cref="JsonlTokenizer"/>.
/// </summary>
public static class TokenizeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "HF tokenizer folder (tokenizer.json, tokenizer.model or *.tiktoken), or one such file.", Required = true };
        var input = new Option<string>("--input") { Description = "JSONL of {\"text\": …} or {\"messages\": […], \"add_generation_prompt\": bool}.", Required = true };
        var output = new Option<string?>("--output") { Description = "Where to write the JSONL result (default: standard output, unless --show)." };
        var bos = new Option<bool>("--bos") { Description = "Prepend BOS to text records." };
        var eos = new Option<bool>("--eos") { Description = "Append EOS to text records." };
        var replace = new Option<bool>("--replace-invalid-utf8") { Description = "Replace bytes that are not UTF-8 with U+FFFD and report how many (default: an error naming the byte offset)" };
        var show = new Option<bool>("--show") { Description = "Print each record's tokens with the trained ones highlighted." };
        var chatTemplate = new Option<string?>("--chat-template") { Description = "Chat template: a Jinja file (or a tokenizer_config.json), or 'llama3' (default: the folder's chat_template, else the Llama-3 template of the Prem-1B recipe)." };
        var onError = new Option<string>("--on-error") { Description = "stop: the first bad record is an error; skip: write {\"error\": …} on its line and go on (count to stderr).", DefaultValueFactory = _ => "stop" };
        onError.AcceptOnlyFromAmong("stop", "skip");
        var command = new Command("tokenize", "Tokenize JSONL text or conversations (ids, and labels for conversations). An input with no records is an error (exit 1).")
        {
            tokenizer, input, output, bos, eos, show, replace, chatTemplate, onError,
        };
        command.SetAction(CliAction.Of((parse, stdout) => Run(parse.GetValue(tokenizer)!, parse.GetValue(input)!, parse.GetValue(output),
            parse.GetValue(bos), parse.GetValue(eos), parse.GetValue(show), stdout, parse.InvocationConfiguration.Error, parse.GetValue(replace),
            parse.GetValue(chatTemplate), parse.GetValue(onError) == "skip")));
        return command;
    }

    /// <summary>
    /// Runs the command; returns the exit code, 0. Bad input throws (the caller's <see cref="CliAction"/> prints it);
    /// an input with no records is an error (exit 1), since an empty result is almost always a wrong path or field.
    /// </summary>
    public static int Run(string tokenizerPath, string inputPath, string? outputPath, bool bos, bool eos, bool show, TextWriter stdout, TextWriter error,
        bool replaceInvalidUtf8 = false, string? chatTemplate = null, bool skipErrors = false)
    {
        if (outputPath is not null) OutputFile.Check(outputPath, "--output");
        var loaded = TokenizerLoader.Load(tokenizerPath);
        string? notice = null;
        var template = ChatTemplateChoice.Resolve(chatTemplate, tokenizerPath, loaded, notice: m => notice = m);
        var runner = new JsonlTokenizer(loaded, template) { AddBos = bos, AddEos = eos, SkipErrors = skipErrors };
        using var reader = OpenInput(inputPath, replaceInvalidUtf8, error);
        using var file = outputPath is null ? null : new StreamWriter(outputPath);
        TextWriter? jsonl = file ?? (show ? null : stdout);
        Func<string, bool, string>? mark = show && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected ? AnsiTokenMarks.Mark : null;
        int records = runner.Run(reader, inputPath, jsonl, show ? stdout : null, mark);
        if (records == 0) throw new CliError($"{inputPath}: no records (the file is empty or all blank); expected one JSON record a line, {{\"text\": …}} or {{\"messages\": […]}}.");
        error.WriteLine($"tokenized {records} records");
        // Said only when a conversation used the default (text-only inputs do not need a template).
        if (notice is not null && runner.ConversationCount > 0) error.WriteLine("prem: note: " + notice);
        if (runner.ErrorCount > 0) error.WriteLine($"{runner.ErrorCount} records failed and were written as {{\"error\": …}} lines");
        return 0;
    }

    static StringReader OpenInput(string path, bool replace, TextWriter log) =>
        File.Exists(path) ? new StringReader(Utf8Input.ReadAllText(path, replace, log)) : throw new TextDataException(path, "input file not found.");
}
