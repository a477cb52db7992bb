using System.Collections.Concurrent;

namespace Prem.Llm.Data;

/// <summary>
/// Per file, how many invalid UTF-8 sequences a reader replaced with U+FFFD (see <see cref="CorpusReader.Read"/>).
/// Safe to add to from the reading thread while another thread owns the collection.
/// </summary>
internal sealed class Utf8Replacements
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="count"/> replacements in <paramref name="path"/>; zero records nothing.</summary>
    public void Add(string path, long count)
    {
        if (count > 0) _counts.AddOrUpdate(path, count, (_, old) => old + count);
    }

    /// <summary>The files with replacements and their counts, sorted by path.</summary>
    public IReadOnlyDictionary<string, long> ToSorted() => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);
}
