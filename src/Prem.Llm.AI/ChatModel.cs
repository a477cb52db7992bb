using System.Runtime.CompilerServices;
using Prem.Llm.Generation;
using Prem.Llm.Modeling;
using Prem.Llm.Text;

namespace Prem.Llm.AI;

/// <summary>
/// A model folder ready to chat: the model, its tokenizer, its chat template and its generation defaults
/// (<c>generation_config.json</c>). <see cref="EncodePrompt"/> turns messages into the prompt ids and
/// <see cref="StreamAsync"/> generates a reply as text deltas. Replies on one model run one at a time.
/// </summary>
public sealed class ChatModel : IDisposable
{
    readonly ConversationEncoder _encoder;
    readonly SemaphoreSlim _gate = new(1, 1);

    ChatModel(string name, LlamaForCausalLM model, TextTokenizerBase tokenizer, IChatTemplate template, CpuWeights cpuWeights)
    {
        Name = name;
        Model = model;
        Tokenizer = tokenizer;
        Template = template;
        Generator = new TextGenerator(model) { CpuWeights = cpuWeights };
        _encoder = new ConversationEncoder(tokenizer, template, new ConversationEncoderOptions { RequireAssistantTurn = false });
        StopTokenIds = [.. StopIds(model, tokenizer, template)];
    }

    /// <summary>The model id clients see: the folder's name unless <see cref="ChatModelOptions.Name"/> says otherwise.</summary>
    public string Name { get; }

    /// <summary>The model.</summary>
    public LlamaForCausalLM Model { get; }

    /// <summary>The folder's tokenizer.</summary>
    public TextTokenizerBase Tokenizer { get; }

    /// <summary>The chat template in use.</summary>
    public IChatTemplate Template { get; }

    /// <summary>The generator over <see cref="Model"/>; <see cref="TextGenerator.LastStats"/> times the latest reply.</summary>
    public TextGenerator Generator { get; }

    /// <summary>The model's context window in tokens (config.json's max_position_embeddings): prompt plus reply.</summary>
    public int ContextLength => Model.Config.MaxPositionEmbeddings;

    /// <summary>
    /// The ids a reply ends at: generation_config.json's eos_token_id (else config.json's), the tokenizer's EOS,
    /// and the template's end-of-turn token (<c>&lt;|eot_id|&gt;</c>) when the vocabulary has it.
    /// </summary>
    public IReadOnlyList<int> StopTokenIds { get; }

    /// <summary>
    /// Loads the model folder <paramref name="folder"/> (config.json, safetensors weights, a tokenizer, optionally
    /// tokenizer_config.json with a chat_template and generation_config.json).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="TextDataException">The folder has no tokenizer, or its template cannot be read.</exception>
    public static ChatModel Load(string folder, ChatModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        options ??= new ChatModelOptions();
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Model folder not found: {folder}");
        if (TokenizerLoader.TryFind(folder) is null)
            throw new TextDataException(folder, "no tokenizer (tokenizer.json, tokenizer.model or *.tiktoken) in the model folder; a chat model needs one.");
        var tokenizer = TokenizerLoader.Load(folder);
        var template = ChatTemplateChoice.Resolve(options.ChatTemplate, folder, tokenizer, options.Notice);
        var model = LlamaForCausalLM.FromPretrained(folder, options.Dtype, options.Attention, options.Device);
        string name = options.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        return new ChatModel(name, model, tokenizer, template, options.CpuWeights);
    }

    /// <summary>
    /// The prompt ids of <paramref name="messages"/> rendered by the template with the assistant header
    /// (the generation prompt) appended. Roles are system, user and assistant.
    /// </summary>
    /// <exception cref="ArgumentException">No messages, a null message, or an unknown role.</exception>
    public IReadOnlyList<int> EncodePrompt(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) throw new ArgumentException("The conversation is empty; give at least one message.", nameof(messages));
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m is null || m.Role is null || m.Content is null) throw new ArgumentException($"Message {i} has no role or no content.", nameof(messages));
            if (!_encoder.Options.Roles.Contains(m.Role))
                throw new ArgumentException($"Message {i} has the unknown role '{m.Role}'; expected {string.Join(", ", _encoder.Options.Roles.Order(StringComparer.Ordinal))}.", nameof(messages));
        }
        return _encoder.Encode(messages, addGenerationPrompt: true)!.InputIds;
    }

    /// <summary>
    /// The folder's sampling defaults (generation_config.json as HF's generate reads it; greedy without one) for a prompt
    /// of <paramref name="promptLength"/> tokens, stopping at <see cref="StopTokenIds"/>.
    /// </summary>
    public SamplingOptions Sampling(int promptLength = 0) =>
        SamplingOptions.FromGenerationConfig(Model.GenerationConfig, Model.Config.EosTokenIds, promptLength) with { StopTokenIds = StopTokenIds };

    /// <summary>
    /// Generates a reply to <paramref name="prompt"/> (from <see cref="EncodePrompt"/>): one delta per new token, then a
    /// final delta with the finish reason and the generator's timings. The reply stops at a stop id, at the first
    /// of <paramref name="stopSequences"/> in its text (which is left out), at <see cref="SamplingOptions.MaxNewTokens"/>,
    /// or where the context window is full. Cancelling stops after the token being computed. Replies on one model
    /// are serialised: a second call waits for the first to finish.
    /// </summary>
    /// <exception cref="ArgumentException">The prompt is empty, fills the context window, or an option is out of range.</exception>
    public async IAsyncEnumerable<ChatDelta> StreamAsync(IReadOnlyList<int> prompt, SamplingOptions sampling, IReadOnlyList<string>? stopSequences = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(sampling);
        sampling.Validate();
        if (prompt.Count == 0) throw new ArgumentException("The prompt is empty.", nameof(prompt));
        int room = ContextLength - prompt.Count;
        if (room <= 0)
            throw new ArgumentException($"The prompt has {prompt.Count} tokens and fills the model's {ContextLength}-token context window; shorten the conversation.", nameof(prompt));
        sampling = sampling with { MaxNewTokens = Math.Min(sampling.MaxNewTokens, room) };
        var reply = new ReplyText(Tokenizer, sampling.StopTokenIds, stopSequences);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int count = 0;
            await foreach (int id in Generator.GenerateStreaming(prompt, sampling, cancellationToken).ConfigureAwait(false))
            {
                count++;
                yield return new ChatDelta(reply.Push(id), id, count);
                if (reply.Stopped) break;
            }
            string rest = reply.Finish();
            var finish = reply.Stopped ? ChatFinish.Stop : ChatFinish.Length;
            yield return new ChatDelta(rest, -1, count, finish) { Stats = Generator.LastStats };
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Frees the model's weights.</summary>
    public void Dispose()
    {
        Model.Dispose();
        _gate.Dispose();
    }

    static IEnumerable<int> StopIds(LlamaForCausalLM model, ITextTokenizer tokenizer, IChatTemplate template)
    {
        var ids = new List<int>();
        void Add(int id)
        {
            if (id >= 0 && id < model.Config.VocabSize && !ids.Contains(id)) ids.Add(id);
        }
        foreach (int id in SamplingOptions.FromGenerationConfig(model.GenerationConfig, model.Config.EosTokenIds).StopTokenIds) Add(id);
        Add(tokenizer.EosId);
        string? eos = template is JinjaChatTemplate jinja ? jinja.EosToken : null;
        foreach (string? token in new[] { eos, Llama3ChatTemplate.EndOfTurn })
            if (token is not null && tokenizer.TokenToId(token) is int id && tokenizer.Decode([id], skipSpecialTokens: false) == token) Add(id);
        return ids;
    }
}
