using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class HfBpeTests
{
    static HfBpe Model(string json) => HfBpe.Parse(JsonDocument.Parse(json).RootElement, new HfJsonReader("t.json"), "model");

    static List<int> Encode(HfBpe bpe, string word)
    {
        var ids = new List<int>();
        bpe.EncodeWord(word, ids);
        return ids;
    }

    [Fact]
    public void Merges_LowestRankFirst_LeftmostAmongEqualRanks()
    {
        // tokenizers' Word::merge_all: "aaa" with the single merge "a a" → "aa a", not "a aa".
        var bpe = Model("""{"type":"BPE","vocab":{"a":0,"aa":1},"merges":["a a"]}""");
        Assert.Equal([1, 0], Encode(bpe, "aaa"));
        // Ranks decide over position: "b c" (rank 0) beats "a b" (rank 1) in "abc".
        var ranked = Model("""{"type":"BPE","vocab":{"a":0,"b":1,"c":2,"ab":3,"bc":4},"merges":[["b","c"],["a","b"]]}""");
        Assert.Equal([0, 4], Encode(ranked, "abc"));
    }

    [Fact]
    public void Unknowns_FuseOrNot_AndAreDroppedWithoutUnkToken()
    {
        const string vocab = """{"<unk>":0,"a":1}""";
        Assert.Equal([1, 0, 1], Encode(Model($$"""{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"vocab":{{vocab}},"merges":[]}"""), "axya"));
        Assert.Equal([1, 0, 0, 1], Encode(Model($$"""{"type":"BPE","unk_token":"<unk>","fuse_unk":false,"vocab":{{vocab}},"merges":[]}"""), "axya"));
        Assert.Equal([1, 1], Encode(Model($$"""{"type":"BPE","vocab":{{vocab}},"merges":[]}"""), "axya"));
    }

    [Fact]
    public void ByteFallback_UsesUppercaseHexByteTokens()
    {
        // tokenizers formats the byte as <0x{:02X}>: "é" = C3 A9.
        var bpe = Model("""{"type":"BPE","byte_fallback":true,"unk_token":"<unk>","vocab":{"<unk>":0,"<0xC3>":1,"<0xA9>":2,"a":3},"merges":[]}""");
        Assert.Equal([3, 1, 2], Encode(bpe, "aé"));
    }

    [Fact]
    public void IgnoreMerges_TakesAWholeWordFromTheVocabulary()
    {
        const string vocab = """{"a":0,"b":1,"ab":2,"abb":3,"bb":4}""";
        // Merges alone give "a"+"bb" ("b b" ranks first); with ignore_merges the vocabulary word wins.
        Assert.Equal([0, 4], Encode(Model($$"""{"type":"BPE","vocab":{{vocab}},"merges":["b b","a b"]}"""), "abb"));
        Assert.Equal([3], Encode(Model($$"""{"type":"BPE","ignore_merges":true,"vocab":{{vocab}},"merges":["b b","a b"]}"""), "abb"));
    }

    [Fact]
    public void ContinuingSubwordPrefix_AndEndOfWordSuffix()
    {
        var bpe = Model("""{"type":"BPE","continuing_subword_prefix":"##","end_of_word_suffix":"</w>","vocab":{"a":0,"##b":1,"##c</w>":2,"a##b":3,"ab":4},"merges":["a ##b"]}""");
        Assert.Equal([4, 2], Encode(bpe, "abc"));
    }
}
