namespace Prem.Llm.Text;

/// <summary>
/// A tokenizer as the rest of the library sees it: plain text to ids and back. Text given to
/// <see cref="Encode"/> never turns into control tokens; special tokens are placed by id.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>Number of ids, including added special tokens.</summary>
    int VocabSize { get; }

    /// <summary>Beginning-of-sequence id.</summary>
    int BosId { get; }

    /// <summary>End-of-sequence id.</summary>
    int EosId { get; }

    /// <summary>Padding id, or null when the tokenizer defines none.</summary>
    int? PadId { get; }

    /// <summary>Encodes <paramref name="text"/> as one standalone segment.</summary>
    IReadOnlyList<int> Encode(string text, bool addBos = false, bool addEos = false);

    /// <summary>Decodes <paramref name="ids"/>; special tokens are dropped when <paramref name="skipSpecialTokens"/>.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true);

    /// <summary>The id of a special or ordinary token string, or null when the vocabulary lacks it.</summary>
    int? TokenToId(string token);

    /// <summary>
    /// Encodes <paramref name="text"/> as a segment of a longer sequence. <paramref name="followsSpecialToken"/>
    /// tells a SentencePiece tokenizer whether the segment comes right after a special token, which decides
    /// its "▁" dummy prefix under <see cref="DummyPrefixMode"/>. Never produces control tokens.
    /// </summary>
    IReadOnlyList<int> EncodeSegment(string text, bool followsSpecialToken) => Encode(text);
}
