using System.Text;

namespace Prem.Llm.Data;

/// <summary>
/// Streams <see cref="CorpusRecord"/>s from corpus files in order, one file at a time, decompressing
/// on the fly. JSONL files give one record per non-blank line (parsing happens later, in parallel);
/// text files give one record per file or per blank-line-separated block (<see cref="TextFileSplit"/>).
/// Read and decompression failures become <see cref="DataFormatException"/>s naming the file.
/// </summary>
internal static class CorpusReader
{
    /// <summary>Lazily reads every record of <paramref name="files"/>.</summary>
    public static IEnumerable<CorpusRecord> Read(IEnumerable<string> files, TextFileSplit split = TextFileSplit.WholeFile)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var path in files)
        {
            var kind = CorpusFiles.KindOf(path);
            using var reader = new StreamReader(new Utf8CheckingStream(CorpusFiles.Open(path), path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
            if (kind == CorpusFileKind.Text && split == TextFileSplit.WholeFile)
            {
                yield return new CorpusRecord(path, 1, kind, Guard(reader.ReadToEnd, path, 1));
                continue;
            }
            long lineNo = 0, blockStart = 0;
            var block = new StringBuilder();
            while (Guard(reader.ReadLine, path, lineNo + 1) is { } line)
            {
                lineNo++;
                bool blank = string.IsNullOrWhiteSpace(line);
                if (kind == CorpusFileKind.Jsonl)
                {
                    if (!blank) yield return new CorpusRecord(path, lineNo, kind, line);
                    continue;
                }
                if (blank)
                {
                    if (block.Length > 0) yield return new CorpusRecord(path, blockStart, kind, block.ToString());
                    block.Clear();
                    continue;
                }
                if (block.Length == 0) blockStart = lineNo;
                else block.Append('\n');
                block.Append(line);
            }
            if (block.Length > 0) yield return new CorpusRecord(path, blockStart, kind, block.ToString());
        }
    }

    // Iterators cannot catch around a yield, so the reads that can fail are wrapped one call at a time.
    private static T Guard<T>(Func<T> read, string path, long line)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ZstdSharp.ZstdException)
        {
            throw new DataFormatException($"cannot read or decompress: {e.Message}", path, line, e);
        }
    }
}
