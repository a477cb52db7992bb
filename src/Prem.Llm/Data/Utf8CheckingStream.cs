using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Prem.Llm.Data;

/// <summary>
/// A read-only pass-through stream that fails on the first byte sequence that is not UTF-8, naming the file and
/// the byte offset (in the decompressed text for .gz/.zst), instead of letting the reader turn it into U+FFFD.
/// With <c>replace</c> it lets them through (the UTF-8 decoder reading it turns each into U+FFFD) and counts them
/// in <see cref="Replaced"/>, one per maximal invalid subsequence, as the decoder replaces them.
/// </summary>
internal sealed class Utf8CheckingStream(Stream inner, string path, bool replace = false) : Stream
{
    private readonly byte[] _carry = new byte[4];
    private int _carryLength;
    private long _offset;   // absolute offset of _carry[0] (or of the next byte read when nothing is carried)

    /// <summary>Invalid sequences let through so far (only with <c>replace</c>).</summary>
    public long Replaced { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Check(buffer[..n], final: n == 0);
        return n;
    }

    /// <summary>The first offset of <paramref name="bytes"/> that starts an invalid sequence, or −1.</summary>
    internal static long FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) return -1;
        char[] scratch = ArrayPool<char>.Shared.Rent(Math.Max(1, bytes.Length));
        try
        {
            Utf8.ToUtf16(bytes, scratch, out int read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            return read;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(scratch);
        }
    }

    private void Check(ReadOnlySpan<byte> fresh, bool final)
    {
        if (fresh.IsEmpty && _carryLength == 0) return;
        ReadOnlySpan<byte> data = fresh;
        byte[]? joined = null;
        if (_carryLength > 0)
        {
            joined = new byte[_carryLength + fresh.Length];
            _carry.AsSpan(0, _carryLength).CopyTo(joined);
            fresh.CopyTo(joined.AsSpan(_carryLength));
            data = joined;
        }
        if (Utf8.IsValid(data))
        {
            _offset += data.Length;
            _carryLength = 0;
            return;
        }
        char[] scratch = ArrayPool<char>.Shared.Rent(data.Length);
        try
        {
            int start = 0;
            while (true)
            {
                var status = Utf8.ToUtf16(data[start..], scratch, out int read, out _, replaceInvalidSequences: false, isFinalBlock: final);
                start += read;
                if (status == OperationStatus.Done)
                {
                    _offset += data.Length;
                    _carryLength = 0;
                    return;
                }
                if (status == OperationStatus.NeedMoreData && data.Length - start <= _carry.Length)
                {
                    // A character split across reads: keep its first bytes for the next read.
                    data[start..].CopyTo(_carry);
                    _carryLength = data.Length - start;
                    _offset += start;
                    return;
                }
                if (!replace) throw new DataFormatException($"not valid UTF-8 at byte offset {_offset + start} (save the file as UTF-8)", path);
                // The decoder turns each maximal invalid subsequence into one U+FFFD; Rune decoding finds the same span.
                Rune.DecodeFromUtf8(data[start..], out _, out int invalid);
                Replaced++;
                start += invalid;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(scratch);
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
