using System.Text.Json;

namespace Prem.Llm.Text;

/// <summary>
/// Picks the chat template for a tokenizer folder, for SFT, DPO, <c>prem tokenize</c> and generation:
/// <c>--chat-template FILE|llama3</c> (or the recipe key <c>chat_template</c>) when given, else the folder's
/// own <c>chat_template</c>, else the Llama-3 template of the Prem-1B recipe with a one-line notice.
/// </summary>
public static class ChatTemplateChoice
{
    /// <summary>The choice that selects the built-in Llama-3 template.</summary>
    public const string Llama3 = "llama3";

    /// <summary>
    /// Resolves <paramref name="choice"/> (null, <see cref="Llama3"/>, or a file holding a Jinja template or a
    /// <c>tokenizer_config.json</c>) for the tokenizer loaded from <paramref name="tokenizerPath"/>.
    /// <paramref name="notice"/> hears the one-line notice when the Llama-3 default is used for lack of a folder template.
    /// </summary>
    public static IChatTemplate Resolve(string? choice, string? tokenizerPath, ITextTokenizer tokenizer, Action<string>? notice = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        string? folder = tokenizerPath is null ? null : Directory.Exists(tokenizerPath) ? tokenizerPath : Path.GetDirectoryName(Path.GetFullPath(tokenizerPath));
        if (string.Equals(choice, Llama3, StringComparison.OrdinalIgnoreCase)) return new Llama3ChatTemplate(BosText(tokenizer));
        if (choice is not null)
        {
            if (!File.Exists(choice)) throw new TextDataException(choice, $"chat template file not found (expected a file or '{Llama3}').");
            string source = File.ReadAllText(choice);
            if (choice.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                using var doc = HfTokenizerConfig.ParseJsonFile(choice);
                source = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("chat_template", out var t) && t.ValueKind == JsonValueKind.String
                    ? t.GetString()! : throw new TextDataException(choice, "expected an object with a string 'chat_template'.", "chat_template");
            }
            var config = folder is null ? new HfTokenizerConfig() : HfTokenizerConfig.Read(folder);
            try
            {
                return new JinjaChatTemplate(source, config.BosToken ?? BosText(tokenizer), config.EosToken, config.AddedTokens.Where(a => a.Special).Select(a => a.Content), config.UnkToken, config.PadToken);
            }
            catch (Templates.TemplateException e)
            {
                throw new TextDataException(choice, e.Message, inner: e);
            }
        }
        if (folder is not null && JinjaChatTemplate.FromFolder(folder) is { } own) return own;
        notice?.Invoke($"{tokenizerPath ?? "the tokenizer"} has no chat_template; using the Llama-3 template of the Prem-1B recipe.");
        return new Llama3ChatTemplate(BosText(tokenizer));
    }

    static string BosText(ITextTokenizer tokenizer) => tokenizer.Decode([tokenizer.BosId], skipSpecialTokens: false);
}
