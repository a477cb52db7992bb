using System.Text;

namespace Prem.Llm.Data;

/// <summary>
/// Streams <see cref="CorpusRecord"/>s from corpus files in order, one file at a time, decompressing
/// on the fly. JSONL files give one record per non-blank line (parsing happens later, in parallel);
/// text files give one record per file or per blank-line-separated block (<see cref="TextFileSplit"/>).
/// Read and decompression failures become <see cref="DataFormatException"/>s naming the file, as do bytes that are
/// not UTF-8 (file and byte offset named) unless the caller asks for them to be replaced and counted.
/// </summary>
internal static class CorpusReader
{
    /// <summary>Lazily reads every record of <paramref name="files"/>.</summary>
    /// <param name="files">The files, in order.</param>
    /// <param name="split">How plain text files are cut into records.</param>
    /// <param name="replaced">
    /// Null fails on the first byte that is not UTF-8; otherwise each invalid sequence becomes U+FFFD and each file
    /// that had any gets its count here once it has been read to the end.
    /// </param>
    public static IEnumerable<CorpusRecord> Read(IEnumerable<string> files, TextFileSplit split = TextFileSplit.WholeFile,
        Utf8Replacements? replaced = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var path in files)
        {
            var kind = CorpusFiles.KindOf(path);
            var checking = new Utf8CheckingStream(CorpusFiles.Open(path), path, replace: replaced is not null);
            // No BOM detection: only UTF-8 is read, and its BOM is dropped by the reader either way.
            using var reader = new StreamReader(checking, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 1 << 16);
            if (kind == CorpusFileKind.Text && split == TextFileSplit.WholeFile)
            {
                string text = Guard(reader.ReadToEnd, path, 1);
                replaced?.Add(path, checking.Replaced);
                yield return new CorpusRecord(path, 1, kind, text);
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
            replaced?.Add(path, checking.Replaced);
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
