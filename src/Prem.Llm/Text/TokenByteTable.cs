using System.Text;

namespace Prem.Llm.Text;

/// <summary>
/// The bytes each id decodes to, and whether it is special. Decoding is byte concatenation then one
/// UTF-8 decode, so byte-fallback pieces split across ids join up; with <see cref="StripLeadingSpace"/>
/// one leading space of the whole text is dropped (HF's Llama decoder: Replace, ByteFallback, Fuse, Strip).
/// </summary>
internal sealed class TokenByteTable
{
    static readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    readonly byte[][] _bytes;
    readonly bool[] _special;
    readonly byte[][]? _firstBytes;

    /// <summary>
    /// Creates the table; index = id. <paramref name="firstBytes"/>, when given, holds what each id decodes to as the
    /// first token decoded (HF's Metaspace decoder drops the "▁" of the first token only).
    /// </summary>
    public TokenByteTable(byte[][] bytes, bool[] special, bool stripLeadingSpace, byte[][]? firstBytes = null)
    {
        if (bytes.Length != special.Length) throw new ArgumentException("bytes and special must have the same length.", nameof(special));
        if (firstBytes is not null && firstBytes.Length != bytes.Length) throw new ArgumentException("firstBytes must have one entry per id.", nameof(firstBytes));
        _bytes = bytes;
        _special = special;
        _firstBytes = firstBytes;
        StripLeadingSpace = stripLeadingSpace;
    }

    /// <summary>Number of ids.</summary>
    public int Count => _bytes.Length;

    /// <summary>Whether decoding drops one leading space (SentencePiece's dummy prefix).</summary>
    public bool StripLeadingSpace { get; }

    /// <summary>The bytes of <paramref name="id"/>; <paramref name="first"/> when it is the first token decoded.</summary>
    public ReadOnlySpan<byte> Bytes(int id, bool first = false) => first && _firstBytes is not null ? _firstBytes[Check(id)] : _bytes[Check(id)];

    /// <summary>Whether <paramref name="id"/> is a special token.</summary>
    public bool IsSpecial(int id) => _special[Check(id)];

    /// <summary>Decodes <paramref name="ids"/>; special ids are left out when <paramref name="skipSpecialTokens"/>.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var buffer = new List<byte>();
        bool first = true;
        foreach (int id in ids)
        {
            if (skipSpecialTokens && IsSpecial(id)) continue;
            buffer.AddRange(Bytes(id, first));
            first = false;
        }
        string text = _utf8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer));
        return StripLeadingSpace && text.StartsWith(' ') ? text[1..] : text;
    }

    /// <summary>A new incremental decoder over this table.</summary>
    public StreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens) => new(this, skipSpecialTokens);

    int Check(int id) =>
        (uint)id < (uint)_bytes.Length ? id : throw new ArgumentOutOfRangeException(nameof(id), id, $"id must be in [0, {_bytes.Length}).");

    internal static Decoder NewUtf8Decoder() => _utf8.GetDecoder();
}
