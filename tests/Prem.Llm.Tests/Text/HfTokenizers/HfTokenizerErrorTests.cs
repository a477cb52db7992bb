using System.Text;
using System.Text.Json.Nodes;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

/// <summary>Refusals of HfTokenizer: each names the file and the field, never a silently different tokenization.</summary>
public class HfTokenizerErrorTests
{
    static TextDataException Load(Action<JsonNode> edit, int seed = 1)
    {
        var root = JsonNode.Parse(HfTokenizerFuzzer.Seeds()[seed])!;
        edit(root);
        return Assert.Throws<TextDataException>(() => HfTokenizer.FromJson(Encoding.UTF8.GetBytes(root.ToJsonString()), "m/tokenizer.json", new HfTokenizerConfig()));
    }

    [Theory]
    [InlineData("normalizer", """{"type":"BertNormalizer"}""", "normalizer.type")]
    [InlineData("normalizer", """{"type":"Precompiled","precompiled_charsmap":"AA=="}""", "normalizer.type")]
    [InlineData("pre_tokenizer", """{"type":"BertPreTokenizer"}""", "pre_tokenizer.type")]
    [InlineData("pre_tokenizer", """{"type":"Split","pattern":{"Regex":"x"},"behavior":"Sideways","invert":false}""", "pre_tokenizer.behavior")]
    [InlineData("decoder", """{"type":"WordPiece","prefix":"##"}""", "decoder.type")]
    [InlineData("decoder", """{"type":"Sequence","decoders":[{"type":"ByteFallback"},{"type":"Replace","pattern":{"String":"a"},"content":"b"}]}""", "decoder.decoders[1]")]
    [InlineData("post_processor", """{"type":"TemplateProcessing","single":[{"Sequence":{"id":"B","type_id":0}}],"pair":[],"special_tokens":{}}""", "post_processor.single[0]")]
    [InlineData("truncation", """{"max_length":512}""", "truncation")]
    public void UnknownComponentOrOption_IsRefusedByName(string property, string value, string field)
    {
        var e = Load(root => root[property] = JsonNode.Parse(value));
        Assert.Equal(field, e.Field);
        Assert.Contains("m/tokenizer.json", e.Message);
    }

    [Fact]
    public void UnknownOption_IsRefused() =>
        Assert.Equal("pre_tokenizer.future_option", Load(root => root["pre_tokenizer"]!["future_option"] = true).Field);

    [Fact]
    public void Dropout_IsRefused() => Assert.Equal("model.dropout", Load(root => root["model"]!["dropout"] = 0.1).Field);

    [Fact]
    public void OtherModels_AreRefused() => Assert.Equal("model.type", Load(root => root["model"]!["type"] = "Unigram").Field);

    [Fact]
    public void MergeOutsideTheVocabulary_IsRefused() =>
        Assert.Equal("model.merges[0]", Load(root => root["model"]!["merges"]![0] = new JsonArray("▁", "zz")).Field);

    [Fact]
    public void SparseHugeIds_AreRefusedBeforeAllocating() =>
        Assert.Equal("model.vocab", Load(root => root["model"]!["vocab"]!["▁h"] = int.MaxValue - 1).Field);

    [Fact]
    public void InvalidJson_NamesTheLine()
    {
        var e = Assert.Throws<TextDataException>(() => HfTokenizer.FromJson(Encoding.UTF8.GetBytes("{\n\"model\": [\n"), "m/tokenizer.json", new HfTokenizerConfig()));
        Assert.NotNull(e.Line);
    }
}
