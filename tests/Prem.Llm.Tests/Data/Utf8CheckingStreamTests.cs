using System.Text;
using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

/// <summary>
/// The UTF-8 check in front of every corpus reader: in both modes its verdict is compared with .NET's own UTF-8
/// decoder over the whole input (the error offset with <c>Utf8.ToUtf16</c>, the replacement count with the U+FFFD
/// characters <c>Encoding.UTF8</c> produces), whatever the read sizes.
/// </summary>
public class Utf8CheckingStreamTests
{
    // Bytes that make every kind of sequence: ASCII, continuation bytes, 2/3/4-byte leads (with the overlong and
    // surrogate-range leads C0, E0, ED, F4) and bytes never valid (F5, FF). Without 0xEF no real U+FFFD (EF BF BD)
    // can occur, so every U+FFFD the decoder writes is a replacement.
    static readonly byte[] _alphabet = [0x41, 0x0A, 0x7F, 0x80, 0x82, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE2, 0xED, 0xF0, 0xF4, 0xF5, 0xFF];

    static byte[] RandomBytes(Random random, int length) => Enumerable.Range(0, length).Select(_ => _alphabet[random.Next(_alphabet.Length)]).ToArray();

    // Reads all of stream with random read sizes; returns the bytes that passed through.
    static byte[] ReadAll(Stream stream, Random random)
    {
        var output = new MemoryStream();
        var buffer = new byte[9];
        int n;
        while ((n = stream.Read(buffer, 0, random.Next(1, buffer.Length + 1))) > 0) output.Write(buffer, 0, n);
        return output.ToArray();
    }

    [Fact]
    public void Replacing_counts_what_the_utf8_decoder_replaces_and_changes_no_byte()
    {
        var random = new Random(13);
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] bytes = RandomBytes(random, random.Next(0, 40));
            using var stream = new Utf8CheckingStream(new MemoryStream(bytes), "r.txt", replace: true);
            Assert.Equal(bytes, ReadAll(stream, random));
            long expected = Encoding.UTF8.GetString(bytes).Count(c => c == '\uFFFD');
            Assert.True(expected == stream.Replaced, $"trial {trial}: {Convert.ToHexString(bytes)}: decoder {expected}, stream {stream.Replaced}");
        }
    }

    [Fact]
    public void Checking_fails_at_the_first_invalid_offset_whatever_the_read_sizes()
    {
        var random = new Random(31);
        int failures = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] bytes = RandomBytes(random, random.Next(0, 40));
            long first = Utf8CheckingStream.FirstInvalid(bytes);
            using var stream = new Utf8CheckingStream(new MemoryStream(bytes), "c.txt");
            if (first < 0)
            {
                Assert.Equal(bytes, ReadAll(stream, random));
                continue;
            }
            failures++;
            var e = Assert.Throws<DataFormatException>(() => ReadAll(stream, random));
            Assert.Equal($"c.txt: not valid UTF-8 at byte offset {first} (save the file as UTF-8)", e.Message);
        }
        Assert.True(failures > 1000, $"only {failures} invalid inputs: the sample does not exercise the check");
    }

    [Fact]
    public void Valid_text_split_across_reads_passes_and_counts_nothing()
    {
        byte[] good = Encoding.UTF8.GetBytes("aé€😀b\uFFFD");
        using var stream = new Utf8CheckingStream(new MemoryStream(good), "ok.txt", replace: true);
        var buffer = new byte[1];
        var seen = new List<byte>();
        while (stream.Read(buffer, 0, 1) > 0) seen.Add(buffer[0]);
        Assert.Equal(good, seen);
        Assert.Equal(0, stream.Replaced);
    }

    [Fact]
    public void A_sequence_cut_short_at_the_end_is_one_replacement()
    {
        byte[] bytes = [(byte)'a', 0xF0, 0x9F, 0x98];   // the first three bytes of 😀
        using var stream = new Utf8CheckingStream(new MemoryStream(bytes), "t.txt", replace: true);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        Assert.Equal("a\uFFFD", reader.ReadToEnd());
        Assert.Equal(1, stream.Replaced);
    }
}
