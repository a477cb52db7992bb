using Prem.Llm.Cli.Commands;
using Prem.Llm.Modeling;
using Prem.Llm.Text;
using TorchSharp;

namespace Prem.Llm.Tests.AI;

/// <summary>Chat-ready model folders for the chat tests, made once per test run.</summary>
internal static class ChatTestModels
{
    static readonly Lazy<string> _stories = new(() =>
    {
        string folder = Path.Combine(TestData.TempDirectory(), "stories260K-chat");
        ChatReadyCommand.Run(TestData.Path("stories260K"), folder);
        return folder;
    });

    /// <summary>
    /// stories260K made chat-ready by <c>prem chat-ready</c>: its 512-piece SentencePiece vocabulary with byte fallback,
    /// the Llama-3 header and end-of-turn tokens added (ids 512–515), the Llama-3 template in tokenizer_config.json.
    /// </summary>
    public static string Stories => _stories.Value;

    /// <summary>The last id of every prompt: the "\n\n" after the assistant header (rendered by the template).</summary>
    public static int PromptEnd
    {
        get
        {
            var tokenizer = TokenizerLoader.Load(Stories);
            var encoder = new ConversationEncoder(tokenizer, JinjaChatTemplate.FromFolder(Stories)!, new ConversationEncoderOptions { RequireAssistantTurn = false });
            return encoder.Encode([new ChatMessage(ChatMessage.User, "hi")], addGenerationPrompt: true)!.InputIds[^1];
        }
    }

    /// <summary>The id of a byte-fallback piece (&lt;0xC3&gt;…).</summary>
    public static int ByteId(byte b) => TokenizerLoader.Load(Stories).TokenToId($"<0x{b:X2}>") ?? throw new InvalidOperationException($"no byte piece {b:X2}");

    /// <summary>The end-of-turn id of the chat-ready vocabulary.</summary>
    public const int EndOfTurn = 514;

    /// <summary>
    /// A model folder (the chat-ready tokenizer and template) whose greedy next token is a fixed function of the current
    /// token: every layer adds nothing (attention and MLP outputs are zero), each token in <paramref name="next"/> gets a
    /// one-hot embedding, and the LM head maps that direction to its successor. Tokens without a successor lead to id 0.
    /// </summary>
    public static string Successor(IReadOnlyDictionary<int, int> next)
    {
        string folder = Path.Combine(TestData.TempDirectory(), "successor");
        int hidden = 32;
        if (next.Count > hidden) throw new ArgumentException("too many edges");
        var config = new LlamaConfig
        {
            HiddenSize = hidden, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 8,
            VocabSize = 516, MaxPositionEmbeddings = 512, BosTokenId = 1, EosTokenIds = [2, EndOfTurn], PadTokenId = 515, TieWordEmbeddings = false,
        };
        using var model = new LlamaForCausalLM(config, seed: 0);
        var embed = new float[516 * hidden];
        var head = new float[516 * hidden];
        int dim = 0;
        foreach (var (from, to) in next)
        {
            embed[from * hidden + dim] = 1;
            head[to * hidden + dim] = 1;
            dim++;
        }
        using (torch.no_grad())
            foreach (var (name, p) in model.named_parameters())
            {
                if (name == "model.embed_tokens.weight") p.copy_(torch.tensor(embed, [516, hidden]));
                else if (name == "lm_head.weight") p.copy_(torch.tensor(head, [516, hidden]));
                else if (name.EndsWith("norm.weight", StringComparison.Ordinal)) p.fill_(1);
                else p.zero_();
            }
        model.SavePretrained(folder);
        foreach (string file in new[] { "tokenizer.model", "tokenizer_config.json" }) File.Copy(Path.Combine(Stories, file), Path.Combine(folder, file));
        return folder;
    }

    /// <summary>A successor chain from the prompt's end through the UTF-8 bytes of <paramref name="text"/>, then <paramref name="last"/>.</summary>
    public static Dictionary<int, int> Chain(string text, int last = EndOfTurn)
    {
        var ids = new List<int> { PromptEnd };
        ids.AddRange(System.Text.Encoding.UTF8.GetBytes(text).Select(ByteId));
        var next = new Dictionary<int, int>();
        for (int i = 0; i + 1 < ids.Count; i++) next.Add(ids[i], ids[i + 1]);
        next.Add(ids[^1], last);
        return next;
    }
}
