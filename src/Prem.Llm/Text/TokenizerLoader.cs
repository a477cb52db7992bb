namespace Prem.Llm.Text;

/// <summary>
/// Loads a tokenizer from an HF tokenizer folder or a single model file: <c>tokenizer.json</c>
/// (<see cref="HfTokenizer"/>), SentencePiece <c>tokenizer.model</c> or a tiktoken rank file (<c>*.tiktoken</c>,
/// or Meta's tiktoken-format <c>tokenizer.model</c>), plus the folder's JSON configuration
/// (<see cref="HfTokenizerConfig"/>). In a folder, <c>tokenizer.json</c> wins over <c>tokenizer.model</c>, as
/// transformers' <c>AutoTokenizer</c> prefers the fast tokenizer; pass the <c>tokenizer.model</c> path to read that instead.
/// </summary>
public static class TokenizerLoader
{
    /// <summary>
    /// Loads <paramref name="path"/>: a folder (model file plus its JSON configuration), or a single model file
    /// (then only a <c>special_tokens.json</c> beside a tiktoken file is read). <paramref name="dummyPrefix"/>
    /// overrides the folder's <c>legacy</c> setting for SentencePiece models (a <c>tokenizer.json</c> carries its own).
    /// </summary>
    public static TextTokenizerBase Load(string path, DummyPrefixMode? dummyPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string folder, modelPath;
        HfTokenizerConfig config;
        if (Directory.Exists(path))
        {
            folder = path;
            modelPath = TryFind(path) ?? throw new TextDataException(path, "no tokenizer.json, tokenizer.model or *.tiktoken file in the folder.");
            if (IsTokenizerJson(modelPath)) return HfTokenizer.Load(modelPath);
            config = HfTokenizerConfig.Read(path);
        }
        else if (File.Exists(path))
        {
            if (IsTokenizerJson(path)) return HfTokenizer.Load(path);
            folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            modelPath = path;
            config = new HfTokenizerConfig();
        }
        else
        {
            throw new TextDataException(path, "no such file or folder.");
        }

        byte[] bytes = File.ReadAllBytes(modelPath);
        if (IsTiktoken(bytes))
        {
            var added = new Dictionary<int, AddedToken>();
            string specialsPath = Path.Combine(folder, "special_tokens.json");
            if (File.Exists(specialsPath))
                foreach (var t in TiktokenTextTokenizer.ReadSpecialTokensJson(specialsPath)) added[t.Id] = t;
            foreach (var t in config.AddedTokens) added[t.Id] = t;
            if (added.Count == 0)
                throw new TextDataException(modelPath, "a tiktoken model needs its special tokens: add special_tokens.json or tokenizer_config.json with added_tokens_decoder.");
            return new TiktokenTextTokenizer(bytes, modelPath, [.. added.Values], config.BosToken, config.EosToken, config.PadToken);
        }

        var model = SentencePieceModelProto.Parse(bytes, modelPath);
        var mode = dummyPrefix ?? (config.Legacy == false ? DummyPrefixMode.FirstSegmentOnly : DummyPrefixMode.EverySegment);
        return new SentencePieceTextTokenizer(model, modelPath, config.AddedTokens, config.BosToken, config.EosToken, config.PadToken, mode);
    }

    /// <summary>
    /// The tokenizer file <see cref="Load"/> reads from <paramref name="folder"/>: <c>tokenizer.json</c>, else
    /// <c>tokenizer.model</c>, else the folder's one <c>*.tiktoken</c> file; null when the folder has none (or does not
    /// exist). Several <c>*.tiktoken</c> files are ambiguous: that throws <see cref="TextDataException"/>.
    /// </summary>
    public static string? TryFind(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) return null;
        foreach (string name in (ReadOnlySpan<string>)["tokenizer.json", "tokenizer.model"])
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        var tiktoken = Directory.GetFiles(folder, "*.tiktoken");
        return tiktoken.Length switch
        {
            0 => null,
            1 => tiktoken[0],
            _ => throw new TextDataException(folder, "more than one *.tiktoken file in the folder; pass the file path."),
        };
    }

    static bool IsTokenizerJson(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    // A tiktoken file is ASCII lines "<base64> <rank>"; a SentencePiece model is binary protobuf.
    static bool IsTiktoken(byte[] bytes)
    {
        int end = Array.IndexOf(bytes, (byte)'\n');
        if (end <= 0) return false;
        var line = bytes.AsSpan(0, end);
        int space = line.IndexOf((byte)' ');
        if (space <= 0 || space == line.Length - 1) return false;
        foreach (byte b in line[..space])
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'+' or (byte)'/' or (byte)'=')) return false;
        foreach (byte b in line[(space + 1)..].TrimEnd((byte)'\r'))
            if (!char.IsAsciiDigit((char)b)) return false;
        return true;
    }
}
