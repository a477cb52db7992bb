using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Prem.Llm.Cli;

/// <summary>Reads an input file as UTF-8, failing on bytes that are not (instead of turning them into U+FFFD).</summary>
public static class Utf8Input
{
    /// <summary>
    /// The text of <paramref name="path"/>, a UTF-8 byte-order mark dropped; a <see cref="CliError"/> names the first
    /// invalid byte's offset, or with <paramref name="replace"/> each invalid sequence becomes U+FFFD and
    /// <paramref name="log"/> gets their count.
    /// </summary>
    public static string ReadAllText(string path, bool replace = false, TextWriter? log = null)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (!Utf8.IsValid(bytes) && replace)
        {
            int invalid = 0;
            for (var rest = bytes.AsSpan(); !rest.IsEmpty;)
            {
                if (Rune.DecodeFromUtf8(rest, out _, out int consumed) != OperationStatus.Done) invalid++;
                rest = rest[consumed..];
            }
            log?.WriteLine($"prem: note: {path}: {invalid} invalid UTF-8 sequence{(invalid == 1 ? "" : "s")} replaced with U+FFFD (--replace-invalid-utf8).");
        }
        else if (!Utf8.IsValid(bytes))
        {
            char[] scratch = ArrayPool<char>.Shared.Rent(bytes.Length);
            try
            {
                Utf8.ToUtf16(bytes, scratch, out int read, out _, replaceInvalidSequences: false);
                throw new CliError($"{path}: not valid UTF-8 at byte offset {read} (save the file as UTF-8)");
            }
            finally
            {
                ArrayPool<char>.Shared.Return(scratch);
            }
        }
        var span = bytes.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble)) span = span[Encoding.UTF8.Preamble.Length..];
        return Encoding.UTF8.GetString(span);
    }

    /// <summary>The lines of <paramref name="path"/> (see <see cref="ReadAllText"/>).</summary>
    public static IEnumerable<string> ReadLines(string path, bool replace = false, TextWriter? log = null)
    {
        using var reader = new StringReader(ReadAllText(path, replace, log));
        while (reader.ReadLine() is { } line) yield return line;
    }
}
