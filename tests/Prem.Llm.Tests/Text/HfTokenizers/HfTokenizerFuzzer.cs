using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

/// <summary>
/// Feeds mutated tokenizer.json files to <see cref="HfTokenizer"/> and, when one loads, encodes and decodes
/// probe strings with it. The promises checked for each input: the only exception is
/// <see cref="TextDataException"/>; no input takes longer than <see cref="PerInputLimit"/>; a hang is caught by
/// a watchdog that saves the input and ends the process. Seeds are small files with every component the
/// loader knows; mutations edit the JSON tree (strings, numbers, types, component names, regexes, deleted or
/// unknown fields) or, one input in five, the bytes. Input i is fully determined by (seed, i). Run by
/// <c>HfTokenizerFuzzerTests</c> (a seeded sample) and by the <c>tests/Prem.Llm.Fuzz</c> console.
/// </summary>
public sealed class HfTokenizerFuzzer(int seed)
{
    static readonly string[] _probes =
    [
        "Hello world, it's 2026!", "  spaces   and\ttabs\n\n", "<s>[INST] hi [/INST]</s><|im_end|>", "emoji 🏳️‍🌈 𝐀 and 中文", "", "ünïcödé e\u0301", "aaaaaaaaaaaaaaaa",
    ];

    static readonly string[] _typeNames =
    [
        "Sequence", "Split", "ByteLevel", "Metaspace", "Digits", "Punctuation", "Whitespace", "WhitespaceSplit", "NFC", "NFKC", "NFD", "NFKD",
        "Lowercase", "Strip", "StripAccents", "Prepend", "Replace", "TemplateProcessing", "ByteFallback", "Fuse", "BPE", "WordPiece", "Unigram",
        "BertPreTokenizer", "Precompiled", "RobertaProcessing", "BertProcessing", "CTC", "bogus",
    ];

    static readonly string[] _fragments =
    [
        "(", ")", "[", "]", "\\", "\\p{L}", "\\p{Han}", "\\x{1F600}", "\\x{zz}", "++", "*+", "?+", "{2,1}", "(?<=a)", "(?!\\S)", "\\w", "\\W", "[^\\w\\s]",
        "&&", "[[:alpha:]]", "\\K", "▁", " ", "<0x41>", "<unk>", "$A", "$B", "", "\uD800", "\u0000",
    ];

    /// <summary>Inputs slower than this fail the run (generous: the regex timeout is 2 s and CI machines are shared).</summary>
    public TimeSpan PerInputLimit { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An input still running after this is a hang: the watchdog saves it and fails fast.</summary>
    public TimeSpan HangLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The outcome of a run.</summary>
    public sealed record Report(int Inputs, int Accepted, int Rejected, TimeSpan Elapsed, TimeSpan Slowest, IReadOnlyList<string> Failures);

    /// <summary>Runs inputs <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> - 1.</summary>
    public Report Run(int count, int first = 0, Action<string>? progress = null)
    {
        var seeds = Seeds();
        var failures = new List<string>();
        int accepted = 0, rejected = 0, current = -1;
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        var started = Stopwatch.StartNew();
        byte[] currentInput = [];
        using var watchdog = new Timer(_ =>
        {
            if (Volatile.Read(ref current) >= 0 && started.Elapsed > HangLimit)
            {
                string saved = Path.Combine(Path.GetTempPath(), $"prem-fuzz-tokenizer-hang-{seed}-{current}.json");
                File.WriteAllBytes(saved, currentInput);
                Environment.FailFast($"tokenizer.json fuzz input {current} (seed {seed}) hung for {started.Elapsed}; saved to {saved}");
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        for (int i = first; i < first + count; i++)
        {
            var random = new Random(FuzzSeed.For(seed, i));
            byte[] input = Mutate(seeds[random.Next(seeds.Length)], random, out string how);
            currentInput = input;
            started.Restart();
            Volatile.Write(ref current, i);
            try
            {
                Exercise(input);
                accepted++;
            }
            catch (TextDataException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                failures.Add($"input {i} ({how}): {e.GetType().Name}: {e.Message}");
            }
            var elapsed = started.Elapsed;
            Volatile.Write(ref current, -1);
            if (elapsed > slowest) slowest = elapsed;
            if (elapsed > PerInputLimit) failures.Add($"input {i} ({how}): took {elapsed.TotalMilliseconds:F0} ms");
            if (progress is not null && (i - first + 1) % 1000 == 0)
                progress($"{i - first + 1} inputs, {accepted} accepted, {rejected} rejected, {failures.Count} failures, {total.Elapsed.TotalSeconds:F0} s");
        }
        return new Report(count, accepted, rejected, total.Elapsed, slowest, failures);
    }

    static void Exercise(byte[] input)
    {
        var tokenizer = HfTokenizer.FromJson(input, "fuzz/tokenizer.json", new HfTokenizerConfig());
        foreach (string probe in _probes)
        {
            var ids = tokenizer.EncodeAsHf(probe);
            tokenizer.Encode(probe, addBos: true, addEos: true);
            tokenizer.Decode(ids, skipSpecialTokens: false);
            var stream = tokenizer.CreateStreamingDecoder();
            foreach (int id in ids) stream.Push(id);
            stream.Flush();
        }
    }

    /// <summary>One mutated input; <paramref name="how"/> says what was done.</summary>
    public static byte[] Mutate(string seedJson, Random random, out string how)
    {
        if (random.Next(5) == 0)
        {
            var bytes = Encoding.UTF8.GetBytes(seedJson);
            int n = 1 + random.Next(8);
            for (int k = 0; k < n; k++)
            {
                int at = random.Next(bytes.Length);
                switch (random.Next(3))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;
                    case 1: bytes = bytes[..at]; break;
                    default: bytes = [.. bytes[..at], .. bytes[random.Next(bytes.Length)..]]; break;
                }
                if (bytes.Length == 0) break;
            }
            how = $"{n} byte edits";
            return bytes;
        }
        var root = JsonNode.Parse(seedJson)!;
        var nodes = new List<(JsonNode? Parent, object Key, JsonNode? Node)>();
        Collect(null, "", root, nodes);
        int edits = 1 + random.Next(3);
        var done = new List<string>();
        for (int k = 0; k < edits; k++)
        {
            var (parent, key, node) = nodes[random.Next(nodes.Count)];
            if (parent is null) continue;
            JsonNode? replacement = node;
            string what;
            switch (random.Next(8))
            {
                case 0:
                    replacement = JsonValue.Create(_typeNames[random.Next(_typeNames.Length)]);
                    what = "type name";
                    break;
                case 1:
                    string s = node is JsonValue v && v.TryGetValue(out string? str) ? str : "";
                    int pos = s.Length == 0 ? 0 : random.Next(s.Length + 1);
                    replacement = JsonValue.Create(s[..pos] + _fragments[random.Next(_fragments.Length)] + s[pos..]);
                    what = "string fragment";
                    break;
                case 2:
                    replacement = JsonValue.Create(random.Next(4) switch { 0 => -1, 1 => int.MaxValue, 2 => 1 << 24, _ => random.Next(600) });
                    what = "number";
                    break;
                case 3:
                    replacement = random.Next(4) switch { 0 => null, 1 => new JsonArray(), 2 => new JsonObject(), _ => JsonValue.Create(true) };
                    what = "type change";
                    break;
                case 4:
                    if (parent is JsonObject po) { po.Remove((string)key); done.Add("delete " + key); }
                    continue;
                case 5:
                    if (parent is JsonObject pu) { pu["unknown_option"] = 1; done.Add("unknown field"); }
                    continue;
                case 6:
                    replacement = node?.DeepClone() is JsonArray arr && arr.Count > 0 ? Duplicate(arr, random) : JsonValue.Create("");
                    what = "duplicate entry";
                    break;
                default:
                    replacement = JsonValue.Create(random.Next(2) == 0);
                    what = "bool";
                    break;
            }
            if (parent is JsonObject o) o[(string)key] = replacement;
            else if (parent is JsonArray a) a[(int)key] = replacement;
            done.Add(what + " at " + key);
            nodes.Clear();
            Collect(null, "", root, nodes);
        }
        how = string.Join(", ", done);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    static JsonArray Duplicate(JsonArray array, Random random)
    {
        array.Add(array[random.Next(array.Count)]?.DeepClone());
        return array;
    }

    static void Collect(JsonNode? parent, object key, JsonNode? node, List<(JsonNode?, object, JsonNode?)> nodes)
    {
        nodes.Add((parent, key, node));
        if (node is JsonObject o)
            foreach (var (k, v) in o.ToList()) Collect(o, k, v, nodes);
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++) Collect(a, i, a[i], nodes);
    }

    /// <summary>Small tokenizer.json files covering every component the loader knows.</summary>
    public static string[] Seeds()
    {
        // A byte-level vocabulary: the 256 alphabet characters plus a few merges.
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++) vocab[ByteLevelAlphabet.ByteToChar[b].ToString()] = b;
        string[] merged = ["Ġt", "he", "Ġthe", "in", "Ġa", "er", "on", "Ġw", "ll", "Ġhe", "Ġhell", "Ġhello", "wo", "wor", "world"];
        string[] merges = ["Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "o n", "Ġ w", "l l", "Ġ he", "Ġhe ll", "Ġhell o", "w o", "wo r", "wor ld"];
        for (int i = 0; i < merged.Length; i++) vocab[merged[i]] = 256 + i;
        vocab["ld"] = 256 + merged.Length;
        var byteLevel = new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null,
            ["added_tokens"] = JsonNode.Parse("""[{"id":272,"content":"<|im_end|>","single_word":false,"lstrip":true,"rstrip":false,"normalized":false,"special":true},{"id":273,"content":"<think>","single_word":true,"lstrip":false,"rstrip":true,"normalized":true,"special":false}]"""),
            ["normalizer"] = JsonNode.Parse("""{"type":"Sequence","normalizers":[{"type":"NFC"},{"type":"Strip","strip_left":false,"strip_right":true},{"type":"Replace","pattern":{"Regex":"\\d+"},"content":"0"}]}"""),
            ["pre_tokenizer"] = JsonNode.Parse("""{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*|\\s+(?!\\S)|\\s+"},"behavior":"Isolated","invert":false},{"type":"Digits","individual_digits":true},{"type":"Punctuation","behavior":"MergedWithNext"},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]}"""),
            ["post_processor"] = JsonNode.Parse("""{"type":"Sequence","processors":[{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":false,"use_regex":true},{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<|im_end|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],"pair":[],"special_tokens":{"<|im_end|>":{"id":"<|im_end|>","ids":[272],"tokens":["<|im_end|>"]}}}]}"""),
            ["decoder"] = JsonNode.Parse("""{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true}"""),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = true, ["vocab"] = vocab,
                ["merges"] = new JsonArray([.. merges.Select(m => (JsonNode?)JsonValue.Create(m))]),
            },
        };
        // A SentencePiece-style vocabulary: byte fallback, Metaspace, unknowns.
        var spVocab = new JsonObject { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (int b = 0; b < 256; b++) spVocab[$"<0x{b:X2}>"] = 3 + b;
        string[] pieces = ["▁", "h", "e", "l", "o", "w", "r", "d", "▁h", "he", "ll", "▁he", "▁hell", "▁hello", "▁w", "or", "▁wor", "▁worl", "▁world"];
        for (int i = 0; i < pieces.Length; i++) spVocab[pieces[i]] = 259 + i;
        var spMerges = new JsonArray([.. new[] { new[] { "▁", "h" }, ["h", "e"], ["l", "l"], ["▁h", "e"], ["▁he", "ll"], ["▁hell", "o"], ["▁", "w"], ["o", "r"], ["▁w", "or"], ["▁wor", "l"], ["▁worl", "d"] }
            .Select(p => (JsonNode?)new JsonArray(JsonValue.Create(p[0]), JsonValue.Create(p[1])))]);
        var sentencePiece = new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null,
            ["added_tokens"] = JsonNode.Parse("""[{"id":0,"content":"<unk>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},{"id":1,"content":"<s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},{"id":2,"content":"</s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}]"""),
            ["normalizer"] = JsonNode.Parse("""{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"},{"type":"Lowercase"}]}"""),
            ["pre_tokenizer"] = JsonNode.Parse("""{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true}"""),
            ["post_processor"] = JsonNode.Parse("""{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],"pair":[],"special_tokens":{"<s>":{"id":"<s>","ids":[1],"tokens":["<s>"]},"</s>":{"id":"</s>","ids":[2],"tokens":["</s>"]}}}"""),
            ["decoder"] = JsonNode.Parse("""{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]}"""),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = "<unk>", ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = true, ["byte_fallback"] = true, ["ignore_merges"] = false, ["vocab"] = spVocab, ["merges"] = spMerges,
            },
        };
        var metaspaceDecoder = (JsonObject)sentencePiece.DeepClone();
        metaspaceDecoder["decoder"] = JsonNode.Parse("""{"type":"Sequence","decoders":[{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true},{"type":"ByteFallback"},{"type":"Fuse"}]}""");
        metaspaceDecoder["pre_tokenizer"] = JsonNode.Parse("""{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Whitespace"},{"type":"Split","pattern":{"String":"l"},"behavior":"Contiguous","invert":true}]}""");
        metaspaceDecoder["normalizer"] = JsonNode.Parse("""{"type":"Sequence","normalizers":[{"type":"NFKD"},{"type":"StripAccents"},{"type":"Prepend","prepend":"▁"}]}""");
        return [byteLevel.ToJsonString(), sentencePiece.ToJsonString(), metaspaceDecoder.ToJsonString()];
    }
}
