using Prem.Llm.Generation;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Generation;

public class ReplyTextTests
{
    static readonly TextTokenizerBase _tokenizer = TokenizerLoader.Load(TestData.Path("stories260K", "tokenizer.model"));

    static (string Text, bool Stopped) Run(IEnumerable<int> ids, IEnumerable<int> stopIds, params string[] stops)
    {
        var reply = new ReplyText(_tokenizer, stopIds, stops);
        string text = string.Concat(ids.Select(reply.Push)) + reply.Finish();
        return (text, reply.Stopped);
    }

    [Fact]
    public void Without_stops_the_pieces_make_the_decoded_text()
    {
        var ids = _tokenizer.Encode("Once upon a time, Lily saw a big dog.");
        Assert.Equal((_tokenizer.Decode(ids), false), Run(ids, []));
    }

    [Fact]
    public void A_stop_id_ends_the_reply_and_its_text_is_never_shown()
    {
        var ids = _tokenizer.Encode("Once upon a time").Append(_tokenizer.EosId).Concat(_tokenizer.Encode(" there was")).ToList();
        Assert.Equal(("Once upon a time", true), Run(ids, [_tokenizer.EosId]));
    }

    [Fact]
    public void A_stop_sequence_spanning_tokens_is_cut_and_left_out()
    {
        var ids = _tokenizer.Encode("Lily saw a big dog. The dog ran.");
        Assert.Equal(("Lily saw a big", true), Run(ids, [], " dog", "ran"));
        var reply = new ReplyText(_tokenizer, [], ["saw a"]);
        var pieces = ids.Select(reply.Push).ToList();
        Assert.True(reply.Stopped);
        Assert.Equal("Lily ", string.Concat(pieces) + reply.Finish());
        Assert.Equal("", reply.Push(ids[0]));
    }

    [Fact]
    public void An_unfinished_character_at_the_end_becomes_a_replacement_character()
    {
        // "é" is the bytes C3 A9: the reply ends after the byte-fallback token of the first.
        int firstByte = _tokenizer.TokenToId("<0xC3>") ?? throw new InvalidOperationException("no <0xC3> token");
        var reply = new ReplyText(_tokenizer, []);
        Assert.Equal("", reply.Push(firstByte));
        Assert.Equal("\uFFFD", reply.Finish());
        Assert.False(reply.Stopped);
    }

    [Fact]
    public void An_empty_stop_sequence_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new ReplyText(_tokenizer, [], ["ok", ""]));
        Assert.Contains("Stop sequence 1 is empty", e.Message);
    }
}
