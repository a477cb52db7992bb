using System.Text;
using System.Text.Json;
using Prem.Llm.AI;
using Prem.Llm.Text;

namespace Prem.Llm.Server;

/// <summary>
/// Reads OpenAI request bodies into <see cref="GenerationRequest"/>s for one model, refusing what the server
/// cannot do with a 400 (404 for another model) that names the field: n other than 1, roles other than
/// system/developer/user/assistant, max_tokens beyond the context window, values of the wrong type.
/// </summary>
internal sealed class RequestParser(ChatModel model, int contextLength)
{
    const int MaxStopSequences = 4;

    /// <summary>A /v1/chat/completions body.</summary>
    public GenerationRequest Chat(JsonElement root)
    {
        var fields = Common(root);
        if (fields.Get("messages") is not { } list) throw new OpenAiException(400, "Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
        if (list.ValueKind != JsonValueKind.Array) throw RequestFields.WrongType("messages", "an array", list);
        if (list.GetArrayLength() == 0) throw OpenAiException.Invalid("messages", "'messages' is empty; send at least one message.");
        var messages = new List<ChatMessage>();
        int i = 0;
        foreach (var item in list.EnumerateArray())
        {
            string at = $"messages[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw RequestFields.WrongType(at, "an object", item);
            var message = new RequestFields(item);
            string role = message.String("role") ?? throw new OpenAiException(400, $"Missing required parameter: '{at}.role'.", at + ".role", "missing_required_parameter");
            role = role switch
            {
                "developer" => ChatMessage.System,
                ChatMessage.System or ChatMessage.User or ChatMessage.Assistant => role,
                _ => throw OpenAiException.Invalid(at + ".role", $"Invalid value for '{at}.role': '{role}'. Supported roles: system, developer, user, assistant."),
            };
            messages.Add(new ChatMessage(role, Content(message, at)));
        }
        int[] prompt;
        try
        {
            prompt = [.. model.EncodePrompt(messages)];
        }
        catch (ArgumentException e)
        {
            throw OpenAiException.Invalid("messages", e.Message);
        }
        return Finish(fields, prompt);
    }

    /// <summary>A /v1/completions body.</summary>
    public GenerationRequest Completion(JsonElement root)
    {
        var fields = Common(root);
        if (fields.Get("prompt") is not { } p) throw new OpenAiException(400, "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter");
        string text = p.ValueKind switch
        {
            JsonValueKind.String => p.GetString()!,
            JsonValueKind.Array when p.GetArrayLength() == 1 && p[0].ValueKind == JsonValueKind.String => p[0].GetString()!,
            JsonValueKind.Array => throw OpenAiException.Invalid("prompt", "'prompt' must be one string; arrays of several prompts are not supported (send one request per prompt)."),
            _ => throw RequestFields.WrongType("prompt", "a string", p),
        };
        var tokenizer = model.Tokenizer;
        int[] prompt = [.. tokenizer.Encode(text, addBos: tokenizer.BosId >= 0)];
        if (prompt.Length == 0) throw OpenAiException.Invalid("prompt", "'prompt' is empty and the tokenizer has no BOS token to start from.");
        return Finish(fields, prompt);
    }

    RequestFields Common(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new OpenAiException(400, $"The request body must be a JSON object, got {root.ValueKind.ToString().ToLowerInvariant()}.", null, "invalid_json");
        var fields = new RequestFields(root);
        string name = fields.String("model") ?? throw new OpenAiException(400, "Missing required parameter: 'model'.", "model", "missing_required_parameter");
        if (name != model.Name) throw new OpenAiException(404, $"The model '{name}' does not exist; this server serves '{model.Name}'.", "model", "model_not_found");
        if (fields.Integer("n", 1, 128) is > 1) throw OpenAiException.Invalid("n", "Only n = 1 is supported: send one request per completion.");
        return fields;
    }

    GenerationRequest Finish(RequestFields fields, int[] prompt)
    {
        int room = contextLength - prompt.Length;
        if (room <= 0)
            throw new OpenAiException(400, $"This model's maximum context length is {contextLength} tokens; the prompt alone has {prompt.Length}. Shorten the messages.", "messages", "context_length_exceeded");
        long? max = fields.Integer("max_completion_tokens", 1, int.MaxValue) ?? fields.Integer("max_tokens", 1, int.MaxValue);
        if (max > room)
            throw new OpenAiException(400, $"This model's maximum context length is {contextLength} tokens. However, you requested {prompt.Length + max} tokens ({prompt.Length} in the prompt, {max} for the completion). Reduce max_tokens or the prompt.",
                fields.Has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens", "context_length_exceeded");

        var sampling = model.Sampling(prompt.Length);
        sampling = sampling with { MaxNewTokens = (int)(max ?? Math.Min(sampling.MaxNewTokens, room)) };
        if (fields.Number("temperature", 0, 2) is double temperature) sampling = sampling with { Temperature = temperature };
        if (fields.Number("top_p", double.Epsilon, 1) is double topP) sampling = sampling with { TopP = topP };
        if (fields.Integer("seed", long.MinValue, long.MaxValue) is long seed) sampling = sampling with { Seed = seed };

        bool stream = fields.Bool("stream") ?? false;
        bool usage = false;
        if (fields.Get("stream_options") is { } so)
        {
            if (so.ValueKind != JsonValueKind.Object) throw RequestFields.WrongType("stream_options", "an object", so);
            usage = new RequestFields(so).Bool("include_usage") ?? false;
        }
        return new GenerationRequest(prompt, sampling, Stops(fields), stream, usage);
    }

    static List<string> Stops(RequestFields fields)
    {
        if (fields.Get("stop") is not { } stop) return [];
        var list = new List<string>();
        if (stop.ValueKind == JsonValueKind.String) list.Add(stop.GetString()!);
        else if (stop.ValueKind == JsonValueKind.Array)
            foreach (var s in stop.EnumerateArray())
                list.Add(s.ValueKind == JsonValueKind.String ? s.GetString()! : throw RequestFields.WrongType("stop", "a string or an array of strings", s));
        else throw RequestFields.WrongType("stop", "a string or an array of strings", stop);
        if (list.Count > MaxStopSequences) throw OpenAiException.Invalid("stop", $"At most {MaxStopSequences} stop sequences, got {list.Count}.");
        if (list.Any(s => s.Length == 0)) throw OpenAiException.Invalid("stop", "A stop sequence is empty.");
        return list;
    }

    /// <summary>A message's text: a string, or an array of text parts joined.</summary>
    static string Content(RequestFields message, string at)
    {
        if (message.Get("content") is not { } content) throw new OpenAiException(400, $"Missing required parameter: '{at}.content'.", at + ".content", "missing_required_parameter");
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) throw RequestFields.WrongType(at + ".content", "a string or an array of text parts", content);
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            var fields = part.ValueKind == JsonValueKind.Object ? new RequestFields(part) : throw RequestFields.WrongType(at + ".content", "an array of text parts", part);
            if (fields.String("type") != "text")
                throw OpenAiException.Invalid(at + ".content", $"Only text content parts are supported (type 'text'), got '{fields.String("type")}'.");
            text.Append(fields.String("text") ?? throw OpenAiException.Invalid(at + ".content", "A text part has no 'text'."));
        }
        return text.ToString();
    }
}
