using System.CommandLine;
using System.Text.Json.Nodes;
using Prem.Llm.Modeling;
using Prem.Llm.Text;
using static TorchSharp.torch;

namespace Prem.Llm.Cli.Commands;

/// <summary>
/// <c>prem chat-ready --model DIR --output DIR</c>: makes a base SentencePiece model ready for chat fine-tuning with
/// the Llama-3 template, the way Prem-1B-chat extends Llama-2: adds <c>&lt;|start_header_id|&gt;</c>,
/// <c>&lt;|end_header_id|&gt;</c>, <c>&lt;|eot_id|&gt;</c> and <c>[PAD]</c> after the vocabulary, resizes the
/// embeddings (new rows start at the mean of the old ones), makes <c>&lt;|eot_id|&gt;</c> an end-of-sequence id and
/// writes the template into tokenizer_config.json.
/// </summary>
public static class ChatReadyCommand
{
    /// <summary>The tokens added, in id order after the base vocabulary.</summary>
    public static IReadOnlyList<string> AddedTokens { get; } = [Llama3ChatTemplate.StartHeader, "<|end_header_id|>", "<|eot_id|>", "[PAD]"];

    /// <summary>The Llama-3 chat template as Hugging Face's tokenizer_config.json carries it.</summary>
    public const string Llama3Jinja =
        "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}" +
        "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    /// <summary>The command definition.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Base model folder with tokenizer.model (SentencePiece)", Required = true };
        var output = new Option<string>("--output") { Description = "Folder for the chat-ready model (created)", Required = true };
        var command = new Command("chat-ready", "Add the Llama-3 chat tokens to a base model: resize its embeddings and write the template into tokenizer_config.json")
        {
            model, output,
        };
        command.SetAction(CliAction.Of((parse, stdout) =>
        {
            string dir = parse.GetValue(model)!, outDir = parse.GetValue(output)!;
            int vocab = Run(dir, outDir);
            stdout.WriteLine($"chat-ready model in {outDir}: vocabulary {vocab} (+{string.Join(" ", AddedTokens)}), eos includes <|eot_id|>");
            return 0;
        }));
        return command;
    }

    /// <summary>Writes the chat-ready copy of <paramref name="source"/> to <paramref name="destination"/>; returns its vocabulary size.</summary>
    public static int Run(string source, string destination)
    {
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
            throw new CliError($"--output: {destination} is not empty.");
        string spm = Path.Combine(source, "tokenizer.model");
        using var baseModel = ModelFolder.LoadModel(source);
        if (!File.Exists(spm)) throw new CliError($"{source} has no tokenizer.model (chat-ready supports SentencePiece models).");
        var tokenizer = TokenizerLoader.Load(source);
        foreach (string token in AddedTokens)
            if (tokenizer.TokenToId(token) is int id && id >= 0 && tokenizer.Decode([id], skipSpecialTokens: false) == token)
                throw new CliError($"{source} already has {token} (id {id}); it is chat-ready.");
        int oldVocab = baseModel.Config.VocabSize, first = Math.Max(oldVocab, tokenizer.VocabSize);
        int eot = first + 2, pad = first + 3;
        var config = baseModel.Config with { VocabSize = first + AddedTokens.Count, EosTokenIds = [.. baseModel.Config.EosTokenIds, eot], PadTokenId = pad };
        using var chat = new LlamaForCausalLM(config, dtype: baseModel.Dtype, seed: 0);
        // A base generation_config.json comes along, stopping at <|eot_id|> too (it names the stop ids generate uses).
        if (baseModel.GenerationConfig is { } generation)
            chat.GenerationConfig = generation with
            {
                EosTokenIds = [.. generation.EosTokenIds.Count > 0 ? generation.EosTokenIds : baseModel.Config.EosTokenIds, eot], PadTokenId = pad,
            };
        var weights = baseModel.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
            foreach (var (name, p) in chat.named_parameters())
            {
                var old = weights[name];
                if (old.shape[0] == p.shape[0]) { p.copy_(old); continue; }
                p.narrow(0, 0, old.shape[0]).copy_(old);
                using var mean = old.mean([0], keepdim: true);
                p.narrow(0, old.shape[0], p.shape[0] - old.shape[0]).copy_(mean.expand(p.shape[0] - old.shape[0], -1));
            }
        chat.SavePretrained(destination);
        File.Copy(spm, Path.Combine(destination, "tokenizer.model"));
        File.WriteAllText(Path.Combine(destination, "tokenizer_config.json"), TokenizerConfig(tokenizer, first).ToJsonString());
        return config.VocabSize;
    }

    static JsonObject TokenizerConfig(ITextTokenizer tokenizer, int first)
    {
        var added = new JsonObject();
        string Piece(int id) => tokenizer.Decode([id], skipSpecialTokens: false);
        string bos = Piece(tokenizer.BosId), eos = Piece(tokenizer.EosId);
        added[tokenizer.BosId.ToString()] = Special(bos);
        added[tokenizer.EosId.ToString()] = Special(eos);
        for (int i = 0; i < AddedTokens.Count; i++) added[(first + i).ToString()] = Special(AddedTokens[i]);
        return new JsonObject
        {
            ["add_bos_token"] = true, ["add_eos_token"] = false, ["added_tokens_decoder"] = added,
            ["bos_token"] = bos, ["eos_token"] = eos, ["pad_token"] = "[PAD]", ["legacy"] = true,
            ["chat_template"] = Llama3Jinja,
        };
    }

    static JsonObject Special(string content) => new()
    {
        ["content"] = content, ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false, ["special"] = true,
    };
}
