using System.Text.Json;

namespace Prem.Llm.Text;

/// <summary>
/// The <c>post_processor</c> of tokenizer.json reduced to what it does to one sequence's ids with
/// <c>add_special_tokens</c>: ids before and ids after. TemplateProcessing's <c>single</c> template
/// (special tokens around <c>$A</c>), BertProcessing/RobertaProcessing (cls … sep), ByteLevel (offsets
/// only: no ids) and Sequence (each processor wraps the result of the one before).
/// </summary>
internal sealed record HfPostProcessor(int[] Prefix, int[] Suffix)
{
    /// <summary>Adds nothing.</summary>
    public static readonly HfPostProcessor None = new([], []);

    /// <summary>Reads the post-processor; JSON null adds nothing.</summary>
    public static HfPostProcessor Parse(JsonElement e, HfJsonReader json, string field)
    {
        if (e.ValueKind == JsonValueKind.Null) return None;
        json.Object(e, field);
        string type = json.Type(e, field);
        switch (type)
        {
            case "Sequence":
            {
                json.OnlyKnown(e, field, "type", "processors");
                var result = None;
                int i = 0;
                foreach (var p in json.Array(json.Property(e, "processors", field), field + ".processors").EnumerateArray())
                {
                    var next = Parse(p, json, $"{field}.processors[{i++}]");
                    result = new HfPostProcessor([.. next.Prefix, .. result.Prefix], [.. result.Suffix, .. next.Suffix]);
                }
                return result;
            }
            case "ByteLevel":
                json.OnlyKnown(e, field, "type", "add_prefix_space", "trim_offsets", "use_regex");
                return None;
            case "BertProcessing" or "RobertaProcessing":
                json.OnlyKnown(e, field, "type", "sep", "cls", "trim_offsets", "add_prefix_space");
                return new HfPostProcessor([PairId(json.Property(e, "cls", field), json, field + ".cls")], [PairId(json.Property(e, "sep", field), json, field + ".sep")]);
            case "TemplateProcessing":
                return Template(e, json, field);
            default:
                throw json.Error(field + ".type", $"post-processor type '{type}' is not supported (supported: TemplateProcessing, ByteLevel, BertProcessing, RobertaProcessing, Sequence).");
        }
    }

    // ["[CLS]", 101]
    static int PairId(JsonElement e, HfJsonReader json, string field)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2 || !e[1].TryGetInt32(out int id) || id < 0)
            throw json.Error(field, "expected [token, id].");
        return id;
    }

    static HfPostProcessor Template(JsonElement e, HfJsonReader json, string field)
    {
        json.OnlyKnown(e, field, "type", "single", "pair", "special_tokens");
        var specials = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (e.TryGetProperty("special_tokens", out var st) && st.ValueKind != JsonValueKind.Null)
        {
            foreach (var p in json.Object(st, field + ".special_tokens").EnumerateObject())
            {
                string f = field + ".special_tokens." + p.Name;
                json.Object(p.Value, f);
                var ids = new List<int>();
                foreach (var id in json.Array(json.Property(p.Value, "ids", f), f + ".ids").EnumerateArray())
                    ids.Add(id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out int v) && v >= 0 ? v : throw json.Error(f + ".ids", "expected non-negative integer ids."));
                specials[p.Name] = [.. ids];
            }
        }
        var prefix = new List<int>();
        var suffix = new List<int>();
        bool seenSequence = false;
        int i = 0;
        foreach (var item in json.Array(json.Property(e, "single", field), field + ".single").EnumerateArray())
        {
            string f = $"{field}.single[{i++}]";
            json.Object(item, f);
            if (item.TryGetProperty("SpecialToken", out var special))
            {
                string name = json.String(special, "id", f + ".SpecialToken");
                if (!specials.TryGetValue(name, out var ids)) throw json.Error(f, $"special token '{name}' is not in special_tokens.");
                (seenSequence ? suffix : prefix).AddRange(ids);
            }
            else if (item.TryGetProperty("Sequence", out var sequence))
            {
                string id = json.String(sequence, "id", f + ".Sequence");
                if (id != "A" || seenSequence) throw json.Error(f, "a single-sequence template must use $A exactly once.");
                seenSequence = true;
            }
            else throw json.Error(f, "expected {\"SpecialToken\": …} or {\"Sequence\": …}.");
        }
        if (!seenSequence) throw json.Error(field + ".single", "the template has no $A.");
        return new HfPostProcessor([.. prefix], [.. suffix]);
    }
}
