using System.Text.RegularExpressions;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Evaluation;

/// <summary>
/// A test tokenizer: each token is a word with its leading whitespace (or trailing whitespace alone),
/// like SentencePiece's "▁word" pieces; ids are assigned in order of first appearance from 3
/// (BOS 1, EOS 2), wrapping into the vocabulary.
/// </summary>
public sealed partial class WordTokenizer(int vocabSize = 41) : ITextTokenizer
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _pieces = [];

    public int VocabSize => vocabSize;
    public int BosId => 1;
    public int EosId => 2;
    public int? PadId => null;

    public static IReadOnlyList<string> Pieces(string text) => Piece().Matches(text).Select(m => m.Value).ToArray();

    public IReadOnlyList<int> Encode(string text, bool addBos = false, bool addEos = false)
    {
        var ids = new List<int>();
        if (addBos) ids.Add(BosId);
        foreach (var piece in Pieces(text))
        {
            if (!_ids.TryGetValue(piece, out int id))
            {
                id = 3 + _ids.Count % (vocabSize - 3);
                _ids[piece] = id;
                _pieces.TryAdd(id, piece);
            }
            ids.Add(id);
        }
        if (addEos) ids.Add(EosId);
        return ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) =>
        string.Concat(ids.Where(i => i > 2).Select(i => _pieces[i]));

    public int? TokenToId(string token) => _ids.TryGetValue(token, out int id) ? id : null;

    [GeneratedRegex(@"\s*\S+|\s+")]
    private static partial Regex Piece();
}
