using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Gguf;

/// <summary>
/// The <c>tokenizer.*</c> metadata of an HF tokenizer folder, as llama.cpp's converter writes it: a
/// SentencePiece <c>tokenizer.model</c> becomes <c>tokenizer.ggml.model = llama</c> (pieces, scores, token
/// types); a byte-level BPE <c>tokenizer.json</c> becomes <c>gpt2</c> (tokens, types, merges, and the
/// <c>tokenizer.ggml.pre</c> name of its pre-tokenizer). Then the BOS/EOS/PAD ids, add-BOS/EOS flags and
/// the chat template. A folder with both files is read as SentencePiece, as llama.cpp's converter does for Llama-2.
/// </summary>
internal static class GgufTokenizerMetadata
{
    /// <summary>llama.cpp's <c>llama_token_type</c>.</summary>
    internal const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6;

    /// <summary>Adds the tokenizer keys of <paramref name="folder"/> to <paramref name="writer"/>, padding the vocabulary to <paramref name="vocabSize"/> (the model's).</summary>
    public static void Add(GgufWriter writer, string folder, int vocabSize)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Tokenizer folder not found: {folder}");
        var config = HfTokenizerConfig.Read(folder);
        string spm = Path.Combine(folder, "tokenizer.model"), json = Path.Combine(folder, "tokenizer.json");
        TextTokenizerBase tokenizer;
        bool addBos;
        if (File.Exists(spm) && !LooksLikeTiktoken(spm))
        {
            var model = SentencePieceModelProto.Parse(File.ReadAllBytes(spm), spm);
            var sp = new SentencePieceTextTokenizer(model, spm, config.AddedTokens, config.BosToken, config.EosToken, config.PadToken);
            tokenizer = sp;
            addBos = config.AddBosToken ?? true;
            AddSentencePiece(writer, model, sp, vocabSize, spm);
        }
        else if (File.Exists(json))
        {
            var hf = HfTokenizer.Load(folder);
            tokenizer = hf;
            addBos = hf.SpecialTokensPrefix.Contains(hf.BosId);
            AddByteLevelBpe(writer, json, hf, vocabSize);
        }
        else
        {
            throw new GgufFormatException(folder, "tokenizer", "the folder has neither a SentencePiece tokenizer.model nor a tokenizer.json (a tiktoken file cannot be exported: llama.cpp reads its vocabulary as tokenizer.json BPE).");
        }
        writer.AddUInt32("tokenizer.ggml.bos_token_id", (uint)tokenizer.BosId);
        writer.AddUInt32("tokenizer.ggml.eos_token_id", (uint)tokenizer.EosId);
        if (tokenizer.PadId is int pad) writer.AddUInt32("tokenizer.ggml.padding_token_id", (uint)pad);
        writer.AddBool("tokenizer.ggml.add_bos_token", addBos);
        writer.AddBool("tokenizer.ggml.add_eos_token", config.AddEosToken ?? (tokenizer is HfTokenizer h && h.SpecialTokensSuffix.Contains(h.EosId)));
        if (config.ChatTemplates.TryGetValue("default", out var template)) writer.AddString("tokenizer.chat_template", template);
    }

    static void AddSentencePiece(GgufWriter writer, SentencePieceModelProto model, SentencePieceTextTokenizer tokenizer, int vocabSize, string source)
    {
        int count = Math.Max(model.Pieces.Count, tokenizer.VocabSize);
        if (count > vocabSize) throw new GgufFormatException(source, "tokenizer.ggml.tokens", $"the tokenizer has {count} tokens, the model's vocabulary only {vocabSize}.");
        var tokens = new string[vocabSize];
        var scores = new float[vocabSize];
        var types = new int[vocabSize];
        for (int i = 0; i < vocabSize; i++)
        {
            if (i < model.Pieces.Count)
            {
                var p = model.Pieces[i];
                (tokens[i], scores[i], types[i]) = (p.Piece, p.Score, (int)p.Type);
            }
            else
            {
                (tokens[i], scores[i], types[i]) = ($"[PAD{i}]", -1000f, UserDefined);
            }
        }
        foreach (var t in tokenizer.AddedTokens)
            (tokens[t.Id], scores[t.Id], types[t.Id]) = (t.Content, -1000f, t.Special ? Control : UserDefined);
        writer.AddString("tokenizer.ggml.model", "llama");
        writer.AddString("tokenizer.ggml.pre", "default");
        writer.AddStringArray("tokenizer.ggml.tokens", tokens);
        writer.AddFloat32Array("tokenizer.ggml.scores", scores);
        writer.AddInt32Array("tokenizer.ggml.token_type", types);
        if (model.UnkId >= 0 && model.UnkId < vocabSize) writer.AddUInt32("tokenizer.ggml.unknown_token_id", (uint)model.UnkId);
        writer.AddBool("tokenizer.ggml.add_space_prefix", model.AddDummyPrefix);
    }

    static void AddByteLevelBpe(GgufWriter writer, string path, HfTokenizer tokenizer, int vocabSize)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 64 });
        var root = doc.RootElement;
        var model = root.GetProperty("model");
        if (!model.TryGetProperty("type", out var mt) || mt.GetString() != "BPE")
            throw new GgufFormatException(path, "model.type", "only BPE tokenizer.json models can be exported.");
        if (model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True)
            throw new GgufFormatException(path, "model.byte_fallback", "a SentencePiece-style BPE (byte_fallback) tokenizer.json has no llama.cpp gpt2 form; export its tokenizer.model instead.");
        root.TryGetProperty("pre_tokenizer", out var pre);
        root.TryGetProperty("normalizer", out var norm);
        string preName = GgufPreTokenizers.NameOf(pre, norm, path);
        if (tokenizer.VocabSize > vocabSize) throw new GgufFormatException(path, "tokenizer.ggml.tokens", $"the tokenizer has {tokenizer.VocabSize} tokens, the model's vocabulary only {vocabSize}.");

        var tokens = new string?[vocabSize];
        var types = new int[vocabSize];
        foreach (var p in model.GetProperty("vocab").EnumerateObject())
        {
            int id = p.Value.GetInt32();
            if (id >= 0 && id < vocabSize) (tokens[id], types[id]) = (p.Name, Normal);
        }
        foreach (var t in tokenizer.AddedTokens)
            (tokens[t.Id], types[t.Id]) = (t.Content, t.Special ? Control : UserDefined);
        for (int i = 0; i < vocabSize; i++)
            if (tokens[i] is null) (tokens[i], types[i]) = ($"[PAD{i}]", Unused);

        var merges = new List<string>();
        if (model.TryGetProperty("merges", out var list))
            foreach (var m in list.EnumerateArray())
                merges.Add(m.ValueKind == JsonValueKind.String ? m.GetString()! : $"{m[0].GetString()} {m[1].GetString()}");

        writer.AddString("tokenizer.ggml.model", "gpt2");
        writer.AddString("tokenizer.ggml.pre", preName);
        writer.AddStringArray("tokenizer.ggml.tokens", tokens!);
        writer.AddInt32Array("tokenizer.ggml.token_type", types);
        writer.AddStringArray("tokenizer.ggml.merges", merges);
    }

    // A tiktoken-format tokenizer.model (Meta's Llama-3 originals) starts with a base64 line, not protobuf.
    static bool LooksLikeTiktoken(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[64];
        int n = f.Read(head);
        int space = head[..n].IndexOf((byte)' ');
        return space > 0 && head[..space].IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8) < 0;
    }
}
