using Microsoft.Extensions.AI;
using Prem.Llm.Generation;
using PremMessage = Prem.Llm.Text.ChatMessage;

namespace Prem.Llm.AI;

/// <summary>
/// One <see cref="IChatClient"/> call made ready for <see cref="ChatModel.StreamAsync"/>: the prompt ids, the sampling
/// options (the folder's defaults overridden by <see cref="ChatOptions"/>) and the stop sequences.
/// </summary>
internal sealed record ChatRequest(IReadOnlyList<int> Prompt, SamplingOptions Sampling, IReadOnlyList<string> StopSequences)
{
    const string RepetitionPenaltyKey = PremChatClient.RepetitionPenaltyKey;

    /// <summary>
    /// Maps <paramref name="messages"/> and <paramref name="options"/>: <see cref="ChatOptions.Instructions"/> becomes a
    /// leading system message; Temperature, TopP, TopK, MaxOutputTokens, Seed and StopSequences override the
    /// folder's generation defaults; <see cref="PremChatClient.RepetitionPenaltyKey"/> in <see cref="ChatOptions.AdditionalProperties"/> sets
    /// HF's repetition penalty. Options a local model has no use for (tools, response format, frequency and presence
    /// penalties, which HF's generate does not have either) are ignored.
    /// </summary>
    /// <exception cref="ArgumentException">No messages, an unknown role, or an option out of range (named as ChatOptions names it).</exception>
    public static ChatRequest Create(ChatModel model, IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = new List<PremMessage>();
        if (!string.IsNullOrEmpty(options?.Instructions)) conversation.Add(new PremMessage(PremMessage.System, options.Instructions));
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            conversation.Add(new PremMessage(message.Role.Value, message.Text));
        }
        var prompt = model.EncodePrompt(conversation);
        var sampling = model.Sampling(prompt.Count);
        if (options is not null)
        {
            if (options.MaxOutputTokens is int max && max <= 0)
                throw new ArgumentException($"ChatOptions.MaxOutputTokens must be positive, got {max}.", nameof(options));
            if (options.Temperature is float t && !(t >= 0 && float.IsFinite(t)))
                throw new ArgumentException($"ChatOptions.Temperature must be ≥ 0, got {t}.", nameof(options));
            if (options.TopP is float p && !(p > 0 && p <= 1))
                throw new ArgumentException($"ChatOptions.TopP must be in (0, 1], got {p}.", nameof(options));
            if (options.TopK is int k && k < 0)
                throw new ArgumentException($"ChatOptions.TopK must be ≥ 0 (0 is off), got {k}.", nameof(options));
            double? penalty = null;
            if (options.AdditionalProperties?.TryGetValue(RepetitionPenaltyKey, out object? value) == true)
                penalty = value is IConvertible number && value is not string && Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture) is double r && r > 0 && double.IsFinite(r)
                    ? r : throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{RepetitionPenaltyKey}\"] must be a number > 0, got {value ?? "null"}.", nameof(options));
            sampling = sampling with
            {
                RepetitionPenalty = penalty ?? sampling.RepetitionPenalty,
                MaxNewTokens = options.MaxOutputTokens ?? sampling.MaxNewTokens,
                Temperature = options.Temperature ?? sampling.Temperature,
                TopP = options.TopP ?? sampling.TopP,
                TopK = options.TopK ?? sampling.TopK,
                Seed = options.Seed ?? sampling.Seed,
            };
        }
        var stops = options?.StopSequences is { } s ? s.ToArray() : [];
        for (int i = 0; i < stops.Length; i++)
            if (string.IsNullOrEmpty(stops[i])) throw new ArgumentException($"ChatOptions.StopSequences[{i}] is empty.", nameof(options));
        return new ChatRequest(prompt, sampling, stops);
    }
}
