namespace Prem.Llm.Text;

/// <summary>
/// Decodes ids one at a time for streaming generation. Each <see cref="Push"/> returns only the new
/// text; a UTF-8 character split over several byte-fallback ids comes out once its last byte arrives,
/// and the dummy-prefix space is dropped only at the very start, so the concatenated deltas equal
/// <see cref="ITextTokenizer.Decode"/> of all ids.
/// </summary>
public sealed class StreamingDecoder
{
    readonly TokenByteTable _table;
    readonly bool _skipSpecialTokens;
    readonly System.Text.Decoder _utf8 = TokenByteTable.NewUtf8Decoder();
    bool _started;
    bool _seenToken;

    internal StreamingDecoder(TokenByteTable table, bool skipSpecialTokens)
    {
        _table = table;
        _skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>Feeds one id; returns the text it completes (possibly empty).</summary>
    public string Push(int id)
    {
        if (_skipSpecialTokens && _table.IsSpecial(id)) return "";
        bool first = !_seenToken;
        _seenToken = true;
        return Emit(_table.Bytes(id, first), flush: false);
    }

    /// <summary>Ends the stream: incomplete UTF-8 bytes still held come out as U+FFFD.</summary>
    public string Flush() => Emit([], flush: true);

    string Emit(ReadOnlySpan<byte> bytes, bool flush)
    {
        Span<char> chars = stackalloc char[_utf8.GetCharCount(bytes, flush)];
        int n = _utf8.GetChars(bytes, chars, flush);
        var text = chars[..n];
        if (!_started && n > 0)
        {
            _started = true;
            if (_table.StripLeadingSpace && text[0] == ' ') text = text[1..];
        }
        return text.ToString();
    }
}
