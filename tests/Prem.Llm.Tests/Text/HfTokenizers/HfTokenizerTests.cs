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

    [Theory]
    [MemberData(nameof(Names))]
    public void StreamingDecoder_DeltasJoinToDecode(string name)
    {
        var tokenizer = HfTestData.Tokenizer(name);
        foreach (var (_, ids, decoded) in HfTestData.Golden(name).Where((_, i) => i % 7 == 0))
        {
            var stream = tokenizer.CreateStreamingDecoder();
            string joined = string.Concat(ids.Select(stream.Push)) + stream.Flush();
            Assert.Equal(decoded, joined);
        }
    }

    [Fact]
    public void SpecialIds_FollowTheFolderConfig()
    {
        var llama3 = HfTestData.Tokenizer("llama3_1");
        Assert.Equal((128000, 128009, (int?)null, 128256), (llama3.BosId, llama3.EosId, llama3.PadId, llama3.VocabSize));
        var qwen = HfTestData.Tokenizer("qwen3");
        // Qwen names no BOS: its EOS stands in, as for GPT-2-style tokenizers.
        Assert.Equal((151645, 151645, (int?)151643), (qwen.BosId, qwen.EosId, qwen.PadId));
        var deepseek = HfTestData.Tokenizer("deepseek_v3");
        Assert.Equal((0, 1), (deepseek.BosId, deepseek.EosId));
        var llama2 = HfTestData.Tokenizer("lenml-llama2");
        Assert.Equal((1, 2, 32000), (llama2.BosId, llama2.EosId, llama2.VocabSize));
    }

    [Fact]
    public void AddSpecialTokens_AddsWhatTransformersAdds()
    {
        // llama3_1: the tokenizer.json TemplateProcessing; deepseek_v3: LlamaTokenizerFast's add_bos_token (its
        // tokenizer.json adds nothing); lenml-llama2: LlamaTokenizer class, add_bos_token true; qwen3: nothing.
        Assert.Equal([128000, 9906], HfTestData.Tokenizer("llama3_1").EncodeAsHf("Hello"));
        Assert.Equal(0, HfTestData.Tokenizer("deepseek_v3").EncodeAsHf("Hello")[0]);
        Assert.Equal(1, HfTestData.Tokenizer("lenml-llama2").EncodeAsHf("Hello")[0]);
        var qwen = HfTestData.Tokenizer("qwen3");
        Assert.Equal(qwen.EncodeAsHf("Hello", addSpecialTokens: false), qwen.EncodeAsHf("Hello"));
        Assert.Empty(qwen.SpecialTokensPrefix);
    }

    [Fact]
    public void SpecialTokenStrings_AreTokensInEncodeAsHf_TextInEncode()
    {
        var llama3 = HfTestData.Tokenizer("llama3_1");
        const string text = "hi<|eot_id|>";
        Assert.Equal([6151, 128009], llama3.EncodeAsHf(text, addSpecialTokens: false));
        Assert.Equal([6151, 128009], llama3.EncodeWithSpecialTokens(text));
        var asText = llama3.EncodeAsHf(text, addSpecialTokens: false, splitSpecialTokens: true);
        Assert.DoesNotContain(128009, asText);
        Assert.Equal(asText, llama3.Encode(text));
        Assert.Equal(text, llama3.Decode(asText));
        // Qwen's <think> is an added token but not special: HF matches it even when special tokens stay text.
        var qwen = HfTestData.Tokenizer("qwen3");
        Assert.Contains(151667, qwen.Encode("<think>x"));
        Assert.DoesNotContain(151644, qwen.Encode("<|im_start|>x"));
    }

    [Fact]
    public void EncodeSegment_MetaspaceFirstSchemePrefixesOnlyTheStart()
    {
        string dir = TestData.TempDirectory();
        var root = System.Text.Json.Nodes.JsonNode.Parse(HfTestData.TokenizerJson("lenml-llama2"))!;
        root["normalizer"] = null;
        root["pre_tokenizer"] = System.Text.Json.Nodes.JsonNode.Parse("""{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}""");
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), root.ToJsonString());
        var tokenizer = HfTokenizer.Load(dir);
        var start = tokenizer.EncodeSegment("Hello", followsSpecialToken: false);
        var after = tokenizer.EncodeSegment("Hello", followsSpecialToken: true);
        Assert.Equal([22557], start);   // "▁Hello"
        Assert.NotEqual(start, after);
        Assert.Equal("Hello", tokenizer.Decode(after));
    }

    static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s.Length > 80 ? s[..80] : s);
}
