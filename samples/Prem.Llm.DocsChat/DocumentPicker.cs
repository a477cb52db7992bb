using System.Text.RegularExpressions;

namespace Prem.Llm.DocsChat;

/// <summary>
/// Chooses which documents go into the prompt: a small model's context window holds only a few, so documents are
/// ranked by how many of the question's words they contain (rarer words count more, a plain IDF weighting) and taken
/// best first while they fit the token budget. A real application would use embeddings; this keeps the sample short.
/// </summary>
public static partial class DocumentPicker
{
    [GeneratedRegex(@"\p{L}[\p{L}\p{N}']*")]
    private static partial Regex WordPattern();

    /// <summary>The words of <paramref name="text"/>, lower-cased, three letters or more.</summary>
    public static HashSet<string> Words(string text) =>
        [.. WordPattern().Matches(text).Select(m => m.Value.ToLowerInvariant()).Where(w => w.Length >= 3)];

    /// <summary>The documents to answer <paramref name="question"/> with, best first, their tokens (<paramref name="countTokens"/>) within <paramref name="budget"/>.</summary>
    public static IReadOnlyList<Document> Pick(IReadOnlyList<Document> documents, string question, int budget, Func<string, int> countTokens)
    {
        var words = documents.Select(d => Words(d.Text)).ToList();
        var asked = Words(question);
        double Weight(string w) => Math.Log(1.0 + documents.Count / (1.0 + words.Count(set => set.Contains(w))));
        var ranked = documents.Select((d, i) => (Document: d, Score: asked.Where(words[i].Contains).Sum(Weight)))
            .Where(r => r.Score > 0).OrderByDescending(r => r.Score).ThenBy(r => r.Document.Name, StringComparer.Ordinal);
        var picked = new List<Document>();
        int used = 0;
        foreach (var (document, _) in ranked)
        {
            int tokens = countTokens(document.Text);
            if (used + tokens > budget) continue;
            picked.Add(document);
            used += tokens;
        }
        return picked;
    }
}
