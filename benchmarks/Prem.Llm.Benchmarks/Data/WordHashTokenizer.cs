using Prem.Llm.Text;

namespace Prem.Llm.Benchmarks.Data;

/// <summary>
/// A fast stand-in tokenizer for pipeline benchmarks: one id per space-separated word (FNV-1a hash
/// into a 32,000-id vocabulary), so the benchmark measures reading, parsing, sharding and parallelism
/// rather than a real BPE.
/// </summary>
/// <param name="rounds">Hash rounds per word: 1 is as fast as it gets; more rounds stand in for a costlier tokenizer.</param>
public sealed class WordHashTokenizer(int rounds = 1) : ITextTokenizer
{
    /// <inheritdoc/>
    public int VocabSize => 32000;

    /// <inheritdoc/>
    public int BosId => 1;

    /// <inheritdoc/>
    public int EosId => 2;

    /// <inheritdoc/>
    public int? PadId => null;

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text, bool addBos = false, bool addEos = false)
    {
        var ids = new List<int>(text.Length / 5 + 2);
        if (addBos) ids.Add(BosId);
        foreach (var range in text.AsSpan().Split(' '))
        {
            var word = text.AsSpan(range);
            if (word.IsEmpty) continue;
            uint h = 2166136261;
            for (int r = 0; r < rounds; r++)
                foreach (char c in word) h = (h ^ c) * 16777619;
            ids.Add(3 + (int)(h % 31997));
        }
        if (addEos) ids.Add(EosId);
        return ids;
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => throw new NotSupportedException();

    /// <inheritdoc/>
    public int? TokenToId(string token) => null;
}
