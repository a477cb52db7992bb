using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class SentencePieceTextTokenizerTests
{
    static void AssertGolden(SentencePieceTextTokenizer tokenizer, string golden, int expectedRows)
    {
        var rows = TextTestData.Golden(golden);
        Assert.Equal(expectedRows, rows.Count);
        var mismatches = rows.Where(r => !tokenizer.Encode(r.Text).SequenceEqual(r.Ids))
            .Select(r => $"#{r.Id} {System.Text.Json.JsonSerializer.Serialize(r.Text)}: got [{string.Join(",", tokenizer.Encode(r.Text))}] want [{string.Join(",", r.Ids)}]")
            .Take(5).ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Llama2_MatchesSentencePieceOnAllGoldenRows() => AssertGolden(TextTestData.Llama2, "llama2_golden.jsonl", 1153);

    [Fact]
    public void Stories260K_MatchesSentencePieceOnAllGoldenRows() =>
        AssertGolden(SentencePieceTextTokenizer.FromFile(TextTestData.StoriesModel), "stories260k_golden.jsonl", 1153);
}
