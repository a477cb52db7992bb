using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Prem.Llm.Checkpoints;

namespace Prem.Llm.Gguf;

/// <summary>
/// Writes the tokenizer of a GGUF file as an HF tokenizer folder this library (and transformers) loads:
/// <c>tokenizer.ggml.model = llama</c> becomes a SentencePiece BPE <c>tokenizer.model</c>, <c>gpt2</c> a
/// byte-level BPE <c>tokenizer.json</c> whose pre-tokenizer is rebuilt from <c>tokenizer.ggml.pre</c>; both
/// get a <c>tokenizer_config.json</c> with the BOS/EOS/PAD tokens, add-BOS flag and chat template.
/// </summary>
/// <remarks>
/// GGUF does not carry SentencePiece's <c>remove_extra_whitespaces</c>; llama.cpp never applies it, so the
/// written model has it off and tokenizes whitespace runs as llama.cpp does.
/// </remarks>
internal static class GgufTokenizerFolder
{
    /// <summary>Writes the tokenizer files of <paramref name="file"/> into <paramref name="folder"/>.</summary>
    public static void Write(GgufFile file, string folder)
    {
        Directory.CreateDirectory(folder);
        string model = GgufMetadata.String(file, "tokenizer.ggml.model");
        var tokens = GgufMetadata.Array<string>(file, "tokenizer.ggml.tokens", GgufValueType.String);
        int[] types = file.Metadata.ContainsKey("tokenizer.ggml.token_type")
            ? GgufMetadata.Array<int>(file, "tokenizer.ggml.token_type", GgufValueType.Int32)
            : [.. tokens.Select(_ => GgufTokenizerMetadata.Normal)];
        if (types.Length != tokens.Length)
            throw new GgufFormatException(file.Path, "tokenizer.ggml.token_type", $"{types.Length} types for {tokens.Length} tokens.");
        int? bos = GgufMetadata.OptionalTokenId(file, "tokenizer.ggml.bos_token_id", tokens.Length);
        int? eos = GgufMetadata.OptionalTokenId(file, "tokenizer.ggml.eos_token_id", tokens.Length);
        int? pad = GgufMetadata.OptionalTokenId(file, "tokenizer.ggml.padding_token_id", tokens.Length);
        bool? addBos = GgufMetadata.OptionalBool(file, "tokenizer.ggml.add_bos_token");
        bool? addEos = GgufMetadata.OptionalBool(file, "tokenizer.ggml.add_eos_token");

        var config = new JsonObject();
        if (bos is int b) config["bos_token"] = tokens[b];
        if (eos is int e) config["eos_token"] = tokens[e];
        if (pad is int p) config["pad_token"] = tokens[p];
        if (file.Metadata.ContainsKey("tokenizer.chat_template")) config["chat_template"] = GgufMetadata.String(file, "tokenizer.chat_template");

        switch (model)
        {
            case "llama":
            {
                var scores = GgufMetadata.Array<float>(file, "tokenizer.ggml.scores", GgufValueType.Float32);
                if (scores.Length != tokens.Length) throw new GgufFormatException(file.Path, "tokenizer.ggml.scores", $"{scores.Length} scores for {tokens.Length} tokens.");
                int? unk = GgufMetadata.OptionalTokenId(file, "tokenizer.ggml.unknown_token_id", tokens.Length);
                bool prefix = GgufMetadata.OptionalBool(file, "tokenizer.ggml.add_space_prefix") ?? true;
                AtomicFile.Write(Path.Combine(folder, "tokenizer.model"), s => s.Write(SentencePieceModel(tokens, scores, types, unk, bos, eos, pad, prefix)));
                config["add_bos_token"] = addBos ?? true;
                config["add_eos_token"] = addEos ?? false;
                config["tokenizer_class"] = "LlamaTokenizer";
                config["legacy"] = true;
                break;
            }
            case "gpt2":
            {
                string pre = file.Metadata.ContainsKey("tokenizer.ggml.pre") ? GgufMetadata.String(file, "tokenizer.ggml.pre") : "gpt-2";
                var merges = GgufMetadata.Array<string>(file, "tokenizer.ggml.merges", GgufValueType.String);
                var json = TokenizerJson(file.Path, tokens, types, merges, pre, addBos ?? false ? bos : null);
                AtomicFile.Write(Path.Combine(folder, "tokenizer.json"), s => s.Write(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));
                break;
            }
            default:
                throw new GgufFormatException(file.Path, "tokenizer.ggml.model", $"tokenizer model '{GgufFormatException.Shorten(model)}' cannot be imported (supported: llama, gpt2).");
        }
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.Write(Path.Combine(folder, "tokenizer_config.json"), s => s.Write(System.Text.Encoding.UTF8.GetBytes(config.ToJsonString(options))));
    }

    static JsonObject TokenizerJson(string path, string[] tokens, int[] types, string[] merges, string pre, int? bos)
    {
        var (preTokenizer, normalizer) = GgufPreTokenizers.Build(pre, path);
        var vocab = new JsonObject();
        var added = new JsonArray();
        for (int i = 0; i < tokens.Length; i++)
        {
            switch (types[i])
            {
                case GgufTokenizerMetadata.Control or GgufTokenizerMetadata.UserDefined:
                    added.Add(new JsonObject
                    {
                        ["id"] = i, ["content"] = tokens[i], ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                        ["normalized"] = false, ["special"] = types[i] == GgufTokenizerMetadata.Control,
                    });
                    break;
                case GgufTokenizerMetadata.Unused:
                    break;
                default:
                    if (!vocab.ContainsKey(tokens[i])) vocab[tokens[i]] = i;
                    break;
            }
        }
        JsonNode? post = null;
        if (bos is int b)
        {
            string t = tokens[b];
            post = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = t, ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                ["pair"] = new JsonArray(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = t, ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = t, ["type_id"] = 1 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "B", ["type_id"] = 1 } }),
                ["special_tokens"] = new JsonObject { [t] = new JsonObject { ["id"] = t, ["ids"] = new JsonArray(b), ["tokens"] = new JsonArray(t) } },
            };
        }
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = post,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = pre == "llama-bpe",
                ["vocab"] = vocab,
                ["merges"] = new JsonArray([.. merges.Select(m => (JsonNode)JsonValue.Create(m))]),
            },
        };
    }

    // sentencepiece_model.proto: ModelProto { repeated SentencePiece pieces = 1; TrainerSpec trainer_spec = 2; NormalizerSpec normalizer_spec = 3; }
    static byte[] SentencePieceModel(string[] tokens, float[] scores, int[] types, int? unk, int? bos, int? eos, int? pad, bool addDummyPrefix)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        for (int i = 0; i < tokens.Length; i++)
        {
            var piece = new MemoryStream();
            var p = new CodedOutputStream(piece);
            p.WriteTag(1, WireFormat.WireType.LengthDelimited); p.WriteString(tokens[i]);
            p.WriteTag(2, WireFormat.WireType.Fixed32); p.WriteFloat(scores[i]);
            p.WriteTag(3, WireFormat.WireType.Varint); p.WriteEnum(types[i] is >= 1 and <= 6 ? types[i] : 1);
            p.Flush();
            output.WriteTag(1, WireFormat.WireType.LengthDelimited); output.WriteBytes(ByteString.CopyFrom(piece.ToArray()));
        }
        var trainer = new MemoryStream();
        var t = new CodedOutputStream(trainer);
        t.WriteTag(3, WireFormat.WireType.Varint); t.WriteInt32(2); // model_type BPE
        t.WriteTag(35, WireFormat.WireType.Varint); t.WriteBool(types.Contains(GgufTokenizerMetadata.Byte)); // byte_fallback
        t.WriteTag(40, WireFormat.WireType.Varint); t.WriteInt32(unk ?? -1);
        t.WriteTag(41, WireFormat.WireType.Varint); t.WriteInt32(bos ?? -1);
        t.WriteTag(42, WireFormat.WireType.Varint); t.WriteInt32(eos ?? -1);
        t.WriteTag(43, WireFormat.WireType.Varint); t.WriteInt32(pad ?? -1);
        t.Flush();
        output.WriteTag(2, WireFormat.WireType.LengthDelimited); output.WriteBytes(ByteString.CopyFrom(trainer.ToArray()));
        var normalizer = new MemoryStream();
        var n = new CodedOutputStream(normalizer);
        n.WriteTag(1, WireFormat.WireType.LengthDelimited); n.WriteString("identity");
        n.WriteTag(3, WireFormat.WireType.Varint); n.WriteBool(addDummyPrefix);
        n.WriteTag(4, WireFormat.WireType.Varint); n.WriteBool(false); // remove_extra_whitespaces: llama.cpp never applies it
        n.WriteTag(5, WireFormat.WireType.Varint); n.WriteBool(true);
        n.Flush();
        output.WriteTag(3, WireFormat.WireType.LengthDelimited); output.WriteBytes(ByteString.CopyFrom(normalizer.ToArray()));
        output.Flush();
        return stream.ToArray();
    }
}
