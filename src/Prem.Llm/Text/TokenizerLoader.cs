namespace Prem.Llm.Text;

/// <summary>
/// Loads a tokenizer from an HF tokenizer folder or a single model file: SentencePiece
/// <c>tokenizer.model</c> or a tiktoken rank file (<c>*.tiktoken</c>, or Meta's tiktoken-format
/// <c>tokenizer.model</c>), plus the folder's JSON configuration (<see cref="HfTokenizerConfig"/>).
/// </summary>
public static class TokenizerLoader
{
    /// <summary>
    /// Loads <paramref name="path"/>: a folder (model file plus its JSON configuration), or a single model file
    /// (then only a <c>special_tokens.json</c> beside a tiktoken file is read). <paramref name="dummyPrefix"/>
    /// overrides the folder's <c>legacy</c> setting for SentencePiece models.
    /// </summary>
    public static TextTokenizerBase Load(string path, DummyPrefixMode? dummyPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string folder, modelPath;
        HfTokenizerConfig config;
        if (Directory.Exists(path))
        {
            folder = path;
            modelPath = FindModel(path);
            config = HfTokenizerConfig.Read(path);
        }
        else if (File.Exists(path))
        {
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

    static string FindModel(string folder)
    {
        string sp = Path.Combine(folder, "tokenizer.model");
        if (File.Exists(sp)) return sp;
        var tiktoken = Directory.GetFiles(folder, "*.tiktoken");
        return tiktoken.Length switch
        {
            1 => tiktoken[0],
            0 => throw new TextDataException(folder, "no tokenizer.model or *.tiktoken file in the folder."),
            _ => throw new TextDataException(folder, "more than one *.tiktoken file in the folder; pass the file path."),
        };
    }

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
