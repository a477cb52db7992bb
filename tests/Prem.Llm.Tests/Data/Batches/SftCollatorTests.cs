using Prem.Llm.Data;
using Prem.Llm.Text;
using Prem.Llm.Tests.Data.Sft;
using TorchSharp;

namespace Prem.Llm.Tests.Data.Batches;

public class SftCollatorTests
{
    private sealed class NoPadTokenizer(int? pad) : ITextTokenizer
    {
        public int VocabSize => 10;
        public int BosId => 1;
        public int EosId => 2;
        public int? PadId => pad;
        public IReadOnlyList<int> Encode(string text, bool addBos = false, bool addEos = false) => [];
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => "";
        public int? TokenToId(string token) => null;
    }

    [Fact]
    public void Pad_id_is_the_pad_token_else_eos()
    {
        Assert.Equal(7, SftCollator.PadIdOf(new NoPadTokenizer(7)));
        Assert.Equal(2, SftCollator.PadIdOf(new NoPadTokenizer(null)));
        Assert.Equal(32003, SftCollator.PadIdOf(ChatTestFiles.Tokenizer));
    }

    [Fact]
    public void Rows_are_right_padded_with_ignored_labels_and_a_zero_mask()
    {
        var rows = new List<SftExample>
        {
            new([1, 5, 6], [-100, 5, 6], "a"),
            new([1, 7, 8, 9, 4], [-100, -100, 8, 9, 4], "b"),
        };
        using var batch = new SftCollator(padId: 0, padToMultipleOf: 4).Collate(rows, [7, 9]);
        Assert.Equal([2L, 8], batch.InputIds.shape);
        Assert.Equal(torch.ScalarType.Int64, batch.Labels!.dtype);
        Assert.Null(batch.Targets);
        Assert.Equal([1L, 5, 6, 0, 0, 0, 0, 0, 1, 7, 8, 9, 4, 0, 0, 0], batch.InputIds.data<long>().ToArray());
        Assert.Equal([-100L, 5, 6, -100, -100, -100, -100, -100, -100, -100, 8, 9, 4, -100, -100, -100], batch.Labels.data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0], batch.AttentionMask!.data<long>().ToArray());
        Assert.Null(batch.DocumentIds);
        Assert.Equal([7L, 9], batch.ExampleIds);
    }

    [Fact]
    public void Packed_rows_carry_document_ids_and_padding_is_its_own_document()
    {
        var rows = new List<SftExample>
        {
            new([1, 5, 1, 6], [-100, 5, -100, 6], "a", DocumentIds: [0, 0, 1, 1]),
            new([1, 7], [-100, 7], "b", DocumentIds: [0, 0]),
        };
        var collator = new SftCollator(padId: 3);
        using var batch = collator.Collate(rows);
        Assert.Equal([0L, 0, 1, 1, 0, 0, 1, 1], batch.DocumentIds!.data<long>().ToArray());
        Assert.Equal([1L, 7, 3, 3], batch.InputIds[1].data<long>().ToArray());
        Assert.Throws<ArgumentException>(() => collator.Collate([rows[0], new SftExample([1], [-100], "c")]));
        Assert.Throws<ArgumentException>(() => collator.Collate([]));
        Assert.Equal(4, collator.LengthOf(rows[0]));
    }

    [Fact]
    public void Bad_padding_multiple_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SftCollator(0, padToMultipleOf: 0));

    [Theory]
    [InlineData(5, 1, 5)]
    [InlineData(5, 8, 8)]
    [InlineData(16, 8, 16)]
    [InlineData(17, 8, 24)]
    public void Padded_length_rounds_up_to_the_multiple(int longest, int multiple, int expected) =>
        Assert.Equal(expected, SftCollator.PaddedLength(longest, multiple));
}
