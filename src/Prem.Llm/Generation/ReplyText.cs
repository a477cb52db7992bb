using Prem.Llm.Text;

namespace Prem.Llm.Generation;

/// <summary>
/// A reply's text as its token ids arrive: a stop id ends the reply (its own text, such as <c>&lt;/s&gt;</c> or
/// <c>&lt;|eot_id|&gt;</c>, is never shown), the first stop sequence in the text ends it and is left out, and no
/// piece splits a UTF-8 character or holds the start of a stop sequence that may still complete.
/// </summary>
public sealed class ReplyText
{
    readonly StreamingDecoder _decoder;
    readonly StopSequenceMatcher _matcher;
    readonly HashSet<int> _stopIds;

    /// <summary>A reply decoded with <paramref name="tokenizer"/> that ends at any of <paramref name="stopIds"/> or <paramref name="stopSequences"/>.</summary>
    /// <exception cref="ArgumentException">A stop sequence is empty.</exception>
    public ReplyText(TextTokenizerBase tokenizer, IEnumerable<int> stopIds, IEnumerable<string>? stopSequences = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(stopIds);
        _matcher = new StopSequenceMatcher(stopSequences);
        _decoder = tokenizer.CreateStreamingDecoder();
        _stopIds = [.. stopIds];
    }

    /// <summary>True once a stop id or a stop sequence has ended the reply; later tokens add nothing.</summary>
    public bool Stopped { get; private set; }

    /// <summary>The text that <paramref name="id"/> makes safe to show (often empty).</summary>
    public string Push(int id)
    {
        if (Stopped) return "";
        if (_stopIds.Contains(id))
        {
            Stopped = true;
            return "";
        }
        string text = _matcher.Push(_decoder.Push(id));
        Stopped = _matcher.Stopped;
        return text;
    }

    /// <summary>The rest of the text at the end of the reply (bytes of an unfinished character become U+FFFD).</summary>
    public string Finish()
    {
        string rest = _matcher.Push(_decoder.Flush()) + _matcher.Flush();
        Stopped |= _matcher.Stopped;
        return rest;
    }
}
