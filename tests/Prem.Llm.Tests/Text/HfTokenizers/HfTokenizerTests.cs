using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfTokenizerTests
{
    public static TheoryData<string> Names => [.. HfTestData.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Golden_IdsAndDecodeEqualHfTokenizers(string name)
    {
        var tokenizer = HfTestData.Tokenizer(name);
        var rows = HfTestData.Golden(name);
        Assert.Equal(1136, rows.Count);
        var failures = new List<string>();
        int idMatches = 0, decodeMatches = 0;
        foreach (var (text, ids, decoded) in rows)
        {
            var ours = tokenizer.EncodeAsHf(text, addSpecialTokens: false);
            if (ours.SequenceEqual(ids)) idMatches++;
            else if (failures.Count < 5) failures.Add($"ids {Show(text)}: want [{string.Join(",", ids)}] got [{string.Join(",", ours)}]");
            string ourDecode = tokenizer.Decode(ids, skipSpecialTokens: true);
            if (ourDecode == decoded) decodeMatches++;
            else if (failures.Count < 10) failures.Add($"decode {Show(text)}: want {Show(decoded)} got {Show(ourDecode)}");
        }
        Assert.True(idMatches == rows.Count && decodeMatches == rows.Count,
            $"{name}: ids {idMatches}/{rows.Count}, decode {decodeMatches}/{rows.Count}\n" + string.Join("\n", failures));
    }

    static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s.Length > 80 ? s[..80] : s);
}
