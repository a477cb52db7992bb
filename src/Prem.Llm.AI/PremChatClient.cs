using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace Prem.Llm.AI;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IChatClient"/> over a local <see cref="ChatModel"/>: the folder's chat
/// template, <see cref="ChatOptions"/> mapped onto sampling (temperature, top-p, top-k, max output tokens, stop
/// sequences, seed; <see cref="RepetitionPenaltyKey"/> for the repetition penalty), usage counts and finish reasons. Streaming yields one update per token that adds text
/// (never half a UTF-8 character), then a last update with the finish reason and a <see cref="UsageContent"/>.
/// Cancelling stops generation after the token being computed; calls on one model run one at a time.
/// </summary>
public sealed class PremChatClient : IChatClient
{
    /// <summary>The provider name in <see cref="ChatClientMetadata"/>.</summary>
    public const string ProviderName = "prem";

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key of HF's repetition penalty (a number &gt; 0; 1 is off), which
    /// <see cref="ChatOptions"/> has no property for.
    /// </summary>
    public const string RepetitionPenaltyKey = "repetition_penalty";

    readonly bool _ownsModel;

    /// <summary>A client over <paramref name="model"/>; <paramref name="ownsModel"/> disposes the model with the client.</summary>
    public PremChatClient(ChatModel model, bool ownsModel = false)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _ownsModel = ownsModel;
        Metadata = new ChatClientMetadata(ProviderName, defaultModelId: model.Name);
    }

    /// <summary>Loads the model folder <paramref name="folder"/> (see <see cref="ChatModel.Load"/>); the client owns it.</summary>
    public PremChatClient(string folder, ChatModelOptions? options = null) : this(ChatModel.Load(folder, options), ownsModel: true)
    {
    }

    /// <summary>The model the client runs.</summary>
    public ChatModel Model { get; }

    /// <summary>Provider "prem" and the model's name as the default model id.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var request = ChatRequest.Create(Model, messages, options);
        var text = new StringBuilder();
        ChatDelta? last = null;
        await foreach (var delta in Model.StreamAsync(request.Prompt, request.Sampling, request.StopSequences, cancellationToken).ConfigureAwait(false))
        {
            text.Append(delta.Text);
            last = delta;
        }
        string id = NewId();
        return new ChatResponse(new Microsoft.Extensions.AI.ChatMessage(ChatRole.Assistant, text.ToString()) { MessageId = id })
        {
            ResponseId = id,
            ModelId = Model.Name,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = FinishReason(last!.Finish!.Value),
            Usage = Usage(request.Prompt.Count, last.OutputTokens),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = ChatRequest.Create(Model, messages, options);
        string id = NewId();
        var created = DateTimeOffset.UtcNow;
        ChatResponseUpdate Update(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
        {
            ResponseId = id, MessageId = id, ModelId = Model.Name, CreatedAt = created,
        };
        await foreach (var delta in Model.StreamAsync(request.Prompt, request.Sampling, request.StopSequences, cancellationToken).ConfigureAwait(false))
        {
            if (delta.Text.Length > 0) yield return Update([new TextContent(delta.Text)]);
            if (delta.Finish is { } finish)
            {
                var end = Update([new UsageContent(Usage(request.Prompt.Count, delta.OutputTokens))]);
                end.FinishReason = FinishReason(finish);
                yield return end;
            }
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        if (serviceType == typeof(ChatModel)) return Model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Disposes the model when the client owns it.</summary>
    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }

    static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N");

    static ChatFinishReason FinishReason(ChatFinish finish) => finish == ChatFinish.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;

    static UsageDetails Usage(int input, int output) => new() { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
}
