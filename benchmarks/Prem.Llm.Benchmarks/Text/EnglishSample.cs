using System.Text;
using System.Text.Json;

namespace Prem.Llm.Benchmarks.Text;

/// <summary>
/// Deterministic English-like text for tokenizer benchmarks: sentences of words drawn from the prose rows
/// of the tokenizer golden file, with one word in seven made up from English syllables so the text has a
/// long tail of unseen words (a word cache cannot hit everything, as on real corpora).
/// </summary>
public static class EnglishSample
{
    static readonly string[] _syllables =
        ["con", "ter", "ing", "al", "pro", "ex", "tion", "ment", "er", "ly", "re", "de", "pa", "tic", "ous", "an", "ble", "ca", "mi", "no", "st", "ver", "ium", "ist"];

    /// <summary>Builds about <paramref name="bytes"/> UTF-8 bytes of text.</summary>
    public static string Create(int bytes, int seed = 1234)
    {
        var words = ProseWords();
        var random = new Random(seed);
        var sb = new StringBuilder(bytes + 256);
        while (sb.Length < bytes)
        {
            int count = random.Next(6, 22);
            for (int i = 0; i < count; i++)
            {
                string w = random.Next(7) == 0 ? MadeUp(random) : words[random.Next(words.Length)];
                if (i == 0) w = char.ToUpperInvariant(w[0]) + w[1..];
                sb.Append(w);
                sb.Append(i == count - 1 ? (random.Next(5) == 0 ? "?" : ".") : random.Next(9) == 0 ? ", " : " ");
            }
            sb.Append(random.Next(6) == 0 ? "\n\n" : " ");
        }
        return sb.ToString();
    }

    /// <summary>The same text cut into documents of about <paramref name="documentBytes"/> each.</summary>
    public static List<string> Documents(string text, int documentBytes)
    {
        var docs = new List<string>();
        for (int start = 0; start < text.Length; start += documentBytes)
            docs.Add(text.Substring(start, Math.Min(documentBytes, text.Length - start)));
        return docs;
    }

    static string MadeUp(Random random)
    {
        int n = random.Next(2, 5);
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.Append(_syllables[random.Next(_syllables.Length)]);
        return sb.ToString();
    }

    static string[] ProseWords()
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(DataPath("llama2_golden.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            string category = doc.RootElement.GetProperty("category").GetString()!;
            if (category is not ("prose" or "prose_random" or "long")) continue;
            foreach (string w in doc.RootElement.GetProperty("text").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                string word = w.Trim('.', ',', '!', '?', ';', ':', '"', '\'', '(', ')').ToLowerInvariant();
                if (word.Length > 0 && word.All(char.IsAsciiLetter)) set.Add(word);
            }
        }
        return [.. set];
    }

    /// <summary>A file of the test tokenizer data (tests/Prem.Llm.Tests/Data/tokenizers), found from the working or base directory.</summary>
    public static string DataPath(params string[] parts)
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine([dir.FullName, "tests", "Prem.Llm.Tests", "Data", "tokenizers", .. parts]);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException("tokenizer data not found; run from the repository.", Path.Combine(parts));
    }
}
