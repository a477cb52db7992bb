using System.Text.Json;

namespace Prem.Llm.Text;

/// <summary>
/// What an HF tokenizer folder says on top of the model file: added tokens and the BOS/EOS/PAD strings,
/// read from <c>tokenizer_config.json</c>, <c>added_tokens.json</c> and <c>special_tokens_map.json</c>
/// (each optional). Like HF, <c>special_tokens_map.json</c> overrides <c>tokenizer_config.json</c>.
/// </summary>
internal sealed class HfTokenizerConfig
{
    /// <summary>Added tokens by id (later files win for the same id).</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; init; } = [];

    /// <summary>The BOS token string, when a file names one.</summary>
    public string? BosToken { get; init; }

    /// <summary>The EOS token string, when a file names one.</summary>
    public string? EosToken { get; init; }

    /// <summary>The PAD token string, when a file names one.</summary>
    public string? PadToken { get; init; }

    /// <summary>The UNK token string, when <c>tokenizer_config.json</c> names one.</summary>
    public string? UnkToken { get; init; }

    /// <summary>
    /// <c>tokenizer_config.json</c>'s <c>chat_template</c> by name: a plain string is named "default"; the list form
    /// <c>[{"name", "template"}]</c> keeps its names. Empty when there is none.
    /// </summary>
    public IReadOnlyDictionary<string, string> ChatTemplates { get; init; } = new Dictionary<string, string>();

    /// <summary><c>tokenizer_config.json</c>'s <c>legacy</c> flag (false selects <see cref="DummyPrefixMode.FirstSegmentOnly"/>).</summary>
    public bool? Legacy { get; init; }

    /// <summary><c>tokenizer_config.json</c>'s <c>add_bos_token</c>, when present.</summary>
    public bool? AddBosToken { get; init; }

    /// <summary><c>tokenizer_config.json</c>'s <c>add_eos_token</c>, when present.</summary>
    public bool? AddEosToken { get; init; }

    /// <summary><c>tokenizer_config.json</c>'s <c>tokenizer_class</c>, when present (e.g. LlamaTokenizerFast).</summary>
    public string? TokenizerClass { get; init; }

    /// <summary>Reads whichever of the three files exist in <paramref name="folder"/>.</summary>
    public static HfTokenizerConfig Read(string folder)
    {
        var added = new SortedDictionary<int, AddedToken>();
        string? bos = null, eos = null, pad = null, unk = null;
        bool? legacy = null, addBos = null, addEos = null;
        string? tokenizerClass = null;
        var chatTemplates = new Dictionary<string, string>(StringComparer.Ordinal);

        string configPath = Path.Combine(folder, "tokenizer_config.json");
        if (File.Exists(configPath))
        {
            using var doc = ParseJsonFile(configPath);
            var root = RequireObject(doc.RootElement, configPath, "$");
            if (root.TryGetProperty("added_tokens_decoder", out var decoder))
            {
                foreach (var p in RequireObject(decoder, configPath, "added_tokens_decoder").EnumerateObject())
                {
                    string field = "added_tokens_decoder." + p.Name;
                    if (!int.TryParse(p.Name, out int id) || id < 0) throw new TextDataException(configPath, "key must be a non-negative integer id.", field);
                    var t = RequireObject(p.Value, configPath, field);
                    added[id] = new AddedToken(RequireString(t, "content", configPath, field), id,
                        Bool(t, "special", configPath, field) ?? false, Bool(t, "lstrip", configPath, field) ?? false, Bool(t, "rstrip", configPath, field) ?? false);
                }
            }
            bos = TokenString(root, "bos_token", configPath);
            eos = TokenString(root, "eos_token", configPath);
            pad = TokenString(root, "pad_token", configPath);
            unk = TokenString(root, "unk_token", configPath);
            legacy = Bool(root, "legacy", configPath, null);
            ReadChatTemplates(root, configPath, chatTemplates);
            addBos = Bool(root, "add_bos_token", configPath, null);
            addEos = Bool(root, "add_eos_token", configPath, null);
            if (root.TryGetProperty("tokenizer_class", out var cls) && cls.ValueKind != JsonValueKind.Null)
                tokenizerClass = cls.ValueKind == JsonValueKind.String ? cls.GetString() : throw new TextDataException(configPath, "expected a string.", "tokenizer_class");
        }

        string addedPath = Path.Combine(folder, "added_tokens.json");
        if (File.Exists(addedPath))
        {
            using var doc = ParseJsonFile(addedPath);
            foreach (var p in RequireObject(doc.RootElement, addedPath, "$").EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                    throw new TextDataException(addedPath, "expected a non-negative integer id.", p.Name);
                if (!added.ContainsKey(id)) added[id] = new AddedToken(p.Name, id, Special: false);
                else if (added[id].Content != p.Name)
                    throw new TextDataException(addedPath, $"id {id} is '{added[id].Content}' in tokenizer_config.json.", p.Name);
            }
        }

        string mapPath = Path.Combine(folder, "special_tokens_map.json");
        if (File.Exists(mapPath))
        {
            using var doc = ParseJsonFile(mapPath);
            var root = RequireObject(doc.RootElement, mapPath, "$");
            bos = TokenString(root, "bos_token", mapPath) ?? bos;
            eos = TokenString(root, "eos_token", mapPath) ?? eos;
            pad = TokenString(root, "pad_token", mapPath) ?? pad;
        }

        return new HfTokenizerConfig { AddedTokens = [.. added.Values], BosToken = bos, EosToken = eos, PadToken = pad, UnkToken = unk, Legacy = legacy,
            AddBosToken = addBos, AddEosToken = addEos, TokenizerClass = tokenizerClass, ChatTemplates = chatTemplates };
    }

    // "chat_template": "…" or [{"name": "default", "template": "…"}, {"name": "tool_use", …}] (transformers' two forms).
    static void ReadChatTemplates(JsonElement root, string path, Dictionary<string, string> into)
    {
        if (!root.TryGetProperty("chat_template", out var t) || t.ValueKind == JsonValueKind.Null) return;
        if (t.ValueKind == JsonValueKind.String)
        {
            into["default"] = t.GetString()!;
            return;
        }
        if (t.ValueKind != JsonValueKind.Array) throw new TextDataException(path, $"expected a string or a list of {{name, template}}, found {t.ValueKind}.", "chat_template");
        int i = 0;
        foreach (var item in t.EnumerateArray())
        {
            string field = $"chat_template[{i++}]";
            var o = RequireObject(item, path, field);
            into[RequireString(o, "name", path, field)] = RequireString(o, "template", path, field);
        }
    }

    /// <summary>Parses a JSON file, turning syntax errors into <see cref="TextDataException"/> with the line.</summary>
    public static JsonDocument ParseJsonFile(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new TextDataException(path, "invalid JSON: " + e.Message, line: (e.LineNumber ?? 0) + 1, inner: e);
        }
    }

    // HF writes a special token either as a string or as an AddedToken object {"content": …}.
    static string? TokenString(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        if (v.ValueKind == JsonValueKind.Object) return RequireString(v, "content", path, name);
        throw new TextDataException(path, "expected a string, an object with 'content', or null.", name);
    }

    static JsonElement RequireObject(JsonElement e, string path, string field) =>
        e.ValueKind == JsonValueKind.Object ? e : throw new TextDataException(path, $"expected a JSON object, found {e.ValueKind}.", field);

    static string RequireString(JsonElement obj, string name, string path, string parent)
    {
        string field = parent + "." + name;
        if (!obj.TryGetProperty(name, out var v)) throw new TextDataException(path, "missing.", field);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new TextDataException(path, $"expected a string, found {v.ValueKind}.", field);
    }

    static bool? Bool(JsonElement obj, string name, string path, string? parent)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new TextDataException(path, $"expected true or false, found {v.ValueKind}.", parent is null ? name : parent + "." + name),
        };
    }
}
