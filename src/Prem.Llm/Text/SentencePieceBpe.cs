using System.Text;

namespace Prem.Llm.Text;

/// <summary>
/// SentencePiece's BPE merge loop over one normalised string, written to match bpe_model.cc exactly:
/// the pair with the highest score merges first and, among equal scores, the LEFTMOST pair wins.
/// Microsoft.ML.Tokenizers' LlamaTokenizer breaks such ties rightmost-first and so gives other ids
/// on runs like "aaaaaaaa" or code indentation; that is why this loop exists.
/// </summary>
internal sealed class SentencePieceBpe
{
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _mergeable;
    readonly float[] _scores;
    readonly SentencePieceType[] _types;
    readonly string[] _userDefined;
    readonly int[] _byteIds = new int[256];
    readonly bool _hasUnused;

    // Per-thread scratch space: encoding runs on many threads at once, and reusing the queue and the
    // symbol buffer keeps the merge loop free of allocations.
    [ThreadStatic] static PriorityQueue<(int Left, int Right, int Size), (float Score, int Left)>? _threadAgenda;
    [ThreadStatic] static List<Symbol>? _threadSymbols;

    /// <summary>Builds the merge tables from the model's vocabulary.</summary>
    public SentencePieceBpe(SentencePieceModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int n = model.Pieces.Count;
        _scores = new float[n];
        _types = new SentencePieceType[n];
        var mergeable = new Dictionary<string, int>(n, StringComparer.Ordinal);
        var userDefined = new List<string>();
        Array.Fill(_byteIds, -1);
        for (int id = 0; id < n; id++)
        {
            var (piece, score, type) = model.Pieces[id];
            _scores[id] = score;
            _types[id] = type;
            // Like SentencePiece's pieces_ map: only these types can be formed from text.
            if (type is SentencePieceType.Normal or SentencePieceType.UserDefined or SentencePieceType.Unused)
                mergeable.TryAdd(piece, id);
            if (type == SentencePieceType.UserDefined) userDefined.Add(piece);
            if (type == SentencePieceType.Byte && TryParseBytePiece(piece, out byte b)) _byteIds[b] = id;
        }
        _mergeable = mergeable.GetAlternateLookup<ReadOnlySpan<char>>();
        _userDefined = userDefined.OrderByDescending(p => p.Length).ToArray();
        _hasUnused = _types.Contains(SentencePieceType.Unused);
        UnkId = model.UnkId;
        ByteFallback = model.ByteFallback;
        // Words can be encoded one by one (and cached) only when no piece can span a word boundary:
        // every piece must have its "▁" characters in one leading run. Checked on the data, not trusted
        // from the trainer flag.
        WordsAreIndependent = !model.TreatWhitespaceAsSuffix && mergeable.Keys.All(LeadingSpaceRunOnly);
    }

    /// <summary>The unknown id.</summary>
    public int UnkId { get; }

    /// <summary>Whether unknown characters become &lt;0xNN&gt; byte pieces.</summary>
    public bool ByteFallback { get; }

    /// <summary>
    /// True when every mergeable piece has its "▁" only as a leading run, so text split before each
    /// run of "▁" encodes word by word with the same result as a whole.
    /// </summary>
    public bool WordsAreIndependent { get; }

    /// <summary>Encodes <paramref name="text"/> (already normalised) and appends the ids to <paramref name="output"/>.</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> output)
    {
        if (text.IsEmpty) return;
        var symbolList = _threadSymbols ??= new List<Symbol>(64);
        Split(text, symbolList);
        var symbols = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(symbolList);
        var agenda = _threadAgenda ??= new PriorityQueue<(int Left, int Right, int Size), (float Score, int Left)>(PairOrder.Instance);
        agenda.Clear();
        for (int i = 1; i < symbols.Length; i++) TryAddPair(text, symbols, agenda, i - 1, i);

        Dictionary<string, (int, int, int, int)>? reverseMerges = null;
        while (agenda.TryDequeue(out var top, out _))
        {
            ref var left = ref symbols[top.Left];
            ref var right = ref symbols[top.Right];
            // Stale entry: one side has merged with something else since it was queued.
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != top.Size) continue;
            if (_hasUnused && _types[Lookup(text.Slice(left.Start, top.Size))] == SentencePieceType.Unused)
            {
                reverseMerges ??= new Dictionary<string, (int, int, int, int)>();
                reverseMerges[text.Slice(left.Start, top.Size).ToString()] = (left.Start, left.Length, right.Start, right.Length);
            }
            left.Length += right.Length;
            left.Next = right.Next;
            if (right.Next >= 0) symbols[right.Next].Prev = top.Left;
            right.Length = 0;
            TryAddPair(text, symbols, agenda, left.Prev, top.Left);
            TryAddPair(text, symbols, agenda, top.Left, left.Next);
        }

        for (int i = 0; i >= 0; i = symbols[i].Next)
            Emit(text, symbols[i].Start, symbols[i].Length, reverseMerges, output);
    }

    // An UNUSED piece is never emitted: SentencePiece re-splits it into the two pieces it came from.
    void Emit(ReadOnlySpan<char> text, int start, int length, Dictionary<string, (int, int, int, int)>? reverseMerges, List<int> output)
    {
        var piece = text.Slice(start, length);
        int id = Lookup(piece);
        if (id >= 0 && _types[id] == SentencePieceType.Unused && reverseMerges is not null
            && reverseMerges.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(piece, out var halves))
        {
            Emit(text, halves.Item1, halves.Item2, reverseMerges, output);
            Emit(text, halves.Item3, halves.Item4, reverseMerges, output);
            return;
        }
        if (id >= 0) { output.Add(id); return; }
        if (!ByteFallback)
        {
            // SentencePiece folds a run of unknown pieces into one unknown id.
            if (output.Count == 0 || output[^1] != UnkId) output.Add(UnkId);
            return;
        }
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(piece.Length)];
        int count = Encoding.UTF8.GetBytes(piece, utf8);
        foreach (byte b in utf8[..count]) output.Add(_byteIds[b] >= 0 ? _byteIds[b] : UnkId);
    }

    int Lookup(ReadOnlySpan<char> piece) => _mergeable.TryGetValue(piece, out int id) ? id : -1;

    void TryAddPair(ReadOnlySpan<char> text, Span<Symbol> symbols, PriorityQueue<(int, int, int), (float, int)> agenda, int left, int right)
    {
        if (left < 0 || right < 0 || symbols[left].Frozen || symbols[right].Frozen) return;
        int size = symbols[left].Length + symbols[right].Length;
        int id = Lookup(text.Slice(symbols[left].Start, size));
        if (id >= 0) agenda.Enqueue((left, right, size), (_scores[id], left));
    }

    // Initial symbols: whole user-defined symbols where one matches (frozen), else one code point each.
    void Split(ReadOnlySpan<char> text, List<Symbol> symbols)
    {
        symbols.Clear();
        int pos = 0;
        while (pos < text.Length)
        {
            int length = char.IsHighSurrogate(text[pos]) && pos + 1 < text.Length && char.IsLowSurrogate(text[pos + 1]) ? 2 : 1;
            bool frozen = false;
            foreach (string u in _userDefined)
            {
                if (text[pos..].StartsWith(u, StringComparison.Ordinal)) { length = u.Length; frozen = true; break; }
            }
            pos += length;
            symbols.Add(new Symbol { Start = pos - length, Length = length, Prev = symbols.Count - 1, Next = pos < text.Length ? symbols.Count + 1 : -1, Frozen = frozen });
        }
    }

    static bool LeadingSpaceRunOnly(string piece)
    {
        int i = 0;
        while (i < piece.Length && piece[i] == '\u2581') i++;
        return piece.IndexOf('\u2581', i) < 0;
    }

    static bool TryParseBytePiece(string piece, out byte value)
    {
        value = 0;
        return piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out value);
    }

    struct Symbol
    {
        public int Start, Length, Prev, Next;
        public bool Frozen;
    }

    // Highest score first; among equal scores the leftmost pair (SentencePiece's SymbolPairComparator).
    sealed class PairOrder : IComparer<(float Score, int Left)>
    {
        public static readonly PairOrder Instance = new();

        public int Compare((float Score, int Left) x, (float Score, int Left) y)
        {
            int c = y.Score.CompareTo(x.Score);
            return c != 0 ? c : x.Left.CompareTo(y.Left);
        }
    }
}
