using System.Text;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Data;

/// <summary>
/// Deterministic test tokenizer: one id per UTF-8 byte (0–255); BOS and EOS are the last two ids of
/// the vocabulary, so a vocabulary above 65,536 exercises uint32 shards. Stateless, so thread-safe.
/// </summary>
public sealed class ByteTokenizer(int vocabSize = 258) : ITextTokenizer
{
    public int VocabSize { get; } = vocabSize;
    public int BosId => VocabSize - 2;
    public int EosId => VocabSize - 1;
    public int? PadId => null;

    public IReadOnlyList<int> Encode(string text, bool addBos = false, bool addEos = false)
    {
        var ids = new List<int>();
        if (addBos) ids.Add(BosId);
        foreach (var b in Encoding.UTF8.GetBytes(text)) ids.Add(b);
        if (addEos) ids.Add(EosId);
        return ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) =>
        Encoding.UTF8.GetString(ids.Where(i => i < 256).Select(i => (byte)i).ToArray());

    public int? TokenToId(string token) => null;

    /// <summary>The tokens a document contributes: BOS + bytes + EOS.</summary>
    public int[] Document(string text) => [BosId, .. Encoding.UTF8.GetBytes(text).Select(b => (int)b), EosId];
}
