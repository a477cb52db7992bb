using Microsoft.ML.Tokenizers;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class SentencePieceBpeTests
{
    static SentencePieceModelProto Toy(bool byteFallback, params (string Piece, float Score, SentencePieceType Type)[] pieces) => new()
    {
        Pieces = [new("<unk>", 0, SentencePieceType.Unknown), .. pieces.Select(p => new SentencePieceEntry(p.Piece, p.Score, p.Type))],
        ModelType = 2,
        ByteFallback = byteFallback,
        UnkId = 0,
    };

    static List<int> Encode(SentencePieceBpe bpe, string text)
    {
        var ids = new List<int>();
        bpe.Encode(text, ids);
        return ids;
    }

    [Fact]
    public void EqualScores_MergeLeftmostPairFirst()
    {
        // "aaa": pairs (0,1) and (1,2) have the same score; SentencePiece merges the left one → "aa" + "a".
        var bpe = new SentencePieceBpe(Toy(false, ("a", -1, SentencePieceType.Normal), ("aa", -2, SentencePieceType.Normal)));
        Assert.Equal([2, 1], Encode(bpe, "aaa"));
        Assert.Equal([2, 2, 1], Encode(bpe, "aaaaa"));
    }

    [Fact]
    public void HigherScore_MergesBeforeLeftmost()
    {
        var bpe = new SentencePieceBpe(Toy(false, ("a", -1, SentencePieceType.Normal), ("b", -1, SentencePieceType.Normal),
            ("ab", -5, SentencePieceType.Normal), ("bb", -3, SentencePieceType.Normal)));
        Assert.Equal([1, 4], Encode(bpe, "abb")); // "bb" (score −3) beats "ab" (−5) although "ab" is left
    }

    [Fact]
    public void UnusedPiece_IsSplitBackIntoItsHalves()
    {
        var bpe = new SentencePieceBpe(Toy(false, ("a", -1, SentencePieceType.Normal), ("b", -1, SentencePieceType.Normal),
            ("ab", -2, SentencePieceType.Unused)));
        Assert.Equal([1, 2], Encode(bpe, "ab"));
    }

    [Fact]
    public void WithoutByteFallback_UnknownRunFoldsIntoOneUnk()
    {
        var bpe = new SentencePieceBpe(Toy(false, ("a", -1, SentencePieceType.Normal)));
        Assert.Equal([1, 0, 1], Encode(bpe, "a☃☃☃a"));
    }

    [Fact]
    public void WithByteFallback_UnknownCharacterBecomesUtf8BytePieces()
    {
        var pieces = Enumerable.Range(0, 256).Select(b => ($"<0x{b:X2}>", 0f, SentencePieceType.Byte)).ToArray();
        var bpe = new SentencePieceBpe(Toy(true, [("a", -1, SentencePieceType.Normal), .. pieces]));
        // ☃ is E2 98 83; byte piece <0xNN> has id 2 + NN here.
        Assert.Equal([1, 2 + 0xE2, 2 + 0x98, 2 + 0x83, 1], Encode(bpe, "a☃a"));
    }

    [Fact]
    public void Llama2Vocabulary_AllowsWordByWordEncoding()
    {
        var model = SentencePieceModelProto.Parse(File.ReadAllBytes(TextTestData.Llama2Model), "llama2");
        Assert.True(new SentencePieceBpe(model).WordsAreIndependent);
        var toy = Toy(false, ("a\u2581b", -1, SentencePieceType.Normal));
        Assert.False(new SentencePieceBpe(toy).WordsAreIndependent);
    }

    [Fact]
    public void MicrosoftMlTokenizers_BreaksTiesTheOtherWay_OursMatchesSentencePiece()
    {
        // Documented fact: Microsoft.ML.Tokenizers 2.0.1's LlamaTokenizer merges equal-score pairs
        // rightmost-first. On golden rows of repeated characters its ids differ from SentencePiece's;
        // ours equal the golden (real SentencePiece) ids on every such row.
        using var stream = File.OpenRead(TextTestData.Llama2Model);
        var ml = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false);
        var rows = TextTestData.Golden("llama2_golden.jsonl");
        var differing = rows.Where(r => !ml.EncodeToIds(r.Text, considerPreTokenization: true, considerNormalization: true).SequenceEqual(r.Ids)).ToList();

        Assert.Contains(differing, r => r.Text == "aaaaaaaa"); // SentencePiece: ▁a aaa aaa a
        Assert.True(differing.Count > 100, $"only {differing.Count} rows differ");
        Assert.All(differing, r => Assert.Equal(r.Ids, TextTestData.Llama2.Encode(r.Text)));
        // The library still decodes the same text: the difference is only in the segmentation.
        var aaaa = rows.Single(r => r.Text == "aaaaaaaa");
        Assert.Equal([263, 27137, 7340, 29874], aaaa.Ids);
        Assert.NotEqual(aaaa.Ids, ml.EncodeToIds(aaaa.Text, considerPreTokenization: true, considerNormalization: true));
    }
}
