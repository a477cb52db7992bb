using Prem.Llm.Data;
using Prem.Llm.Text;
using static Prem.Llm.Tests.Data.Sft.ChatTestFiles;

namespace Prem.Llm.Tests.Data.Sft;

public class SftDatasetTests : IDisposable
{
    private readonly TempFolder _tmp = new();

    public void Dispose() => _tmp.Dispose();

    // The trained spans of an example, decoded with special tokens kept.
    private static List<string> TrainedSpans(SftExample e)
    {
        var spans = new List<string>();
        var run = new List<int>();
        for (int i = 0; i <= e.Length; i++)
        {
            if (i < e.Length && e.Labels[i] != ConversationEncoder.IgnoreIndex)
            {
                Assert.Equal(e.InputIds[i], e.Labels[i]);
                run.Add(e.Labels[i]);
            }
            else if (run.Count > 0)
            {
                spans.Add(Tokenizer.Decode(run, skipSpecialTokens: false));
                run.Clear();
            }
        }
        return spans;
    }

    [Fact]
    public void Labels_cover_each_assistant_content_and_its_eot_only()
    {
        string path = Write(_tmp, "a.jsonl", Messages(("user", "hi"), ("assistant", "Hello! How can I help?"), ("user", "who is the CEO of google?"), ("assistant", "Sundar Pichai")));
        var ds = SftDataset.Load(path, Tokenizer);
        var e = Assert.Single(ds.Examples);
        Assert.Equal(["Hello! How can I help?<|eot_id|>", "Sundar Pichai<|eot_id|>"], TrainedSpans(e));
        Assert.Equal(Tokenizer.BosId, e.InputIds[0]);
        // The Prem-1B recipe's default system prompt is the first message (the decoder shows the segments' "▁" prefixes as spaces).
        string text = Tokenizer.Decode(e.InputIds, skipSpecialTokens: false);
        Assert.StartsWith("<s><|start_header_id|> system<|end_header_id|>", text);
        Assert.Contains(SftOptions.SeedSystemPrompt + "<|eot_id|><|start_header_id|> user", text);
        Assert.Equal($"{path}:1", e.Source);
    }

    [Fact]
    public void Last_turn_only_and_no_system_prompt_are_options()
    {
        string path = Write(_tmp, "a.jsonl", Messages(("user", "a"), ("assistant", "first"), ("user", "b"), ("assistant", "second")));
        var e = SftDataset.Load(path, Tokenizer, new SftOptions { TrainOn = AssistantTurns.Last, DefaultSystemPrompt = null }).Examples[0];
        Assert.Equal(["second<|eot_id|>"], TrainedSpans(e));
        Assert.DoesNotContain("system", Tokenizer.Decode(e.InputIds, skipSpecialTokens: false));
    }

    [Fact]
    public void Prompt_completion_records_are_a_user_and_an_assistant_turn()
    {
        string path = Write(_tmp, "a.jsonl", """{"prompt": "2+2?", "completion": "4"}""", Messages(("user", "2+2?"), ("assistant", "4")));
        var ds = SftDataset.Load(path, Tokenizer);
        Assert.Equal(ds.Examples[1].InputIds, ds.Examples[0].InputIds);
        Assert.Equal(ds.Examples[1].Labels, ds.Examples[0].Labels);
    }

    [Fact]
    public void Truncation_cuts_ids_and_labels_together()
    {
        string reply = string.Join(" ", Enumerable.Range(0, 60).Select(i => "word" + i));
        string path = Write(_tmp, "a.jsonl", Messages(("user", "count"), ("assistant", reply)));
        var options = new SftOptions { DefaultSystemPrompt = null };
        var full = SftDataset.Load(path, Tokenizer, options).Examples[0];
        foreach (int max in (int[])[full.Length - 1, 40, 20])
        {
            var ds = SftDataset.Load(path, Tokenizer, options with { MaxSeqLength = max });
            var e = ds.Examples[0];
            Assert.Equal(max, e.Length);
            Assert.True(e.Truncated);
            Assert.Equal(full.InputIds[..max], e.InputIds);
            Assert.Equal(full.Labels[..max], e.Labels);
            // Still only assistant content: a prefix of the reply, no eot (it was cut off).
            string trained = Assert.Single(TrainedSpans(e));
            Assert.StartsWith(trained.Trim(), reply);
            Assert.Equal(1, ds.Summary.Truncated);
            Assert.Equal(max, ds.Summary.Tokens);
        }
    }

    [Fact]
    public void A_record_truncated_to_no_trained_tokens_is_an_error_or_skipped()
    {
        string path = Write(_tmp, "a.jsonl", Messages(("user", "short"), ("assistant", "ok")),
            Messages(("user", string.Join(" ", Enumerable.Repeat("long question", 40))), ("assistant", "fine")));
        var e = Assert.Throws<DataFormatException>(() => SftDataset.Load(path, Tokenizer, new SftOptions { MaxSeqLength = 40 }));
        Assert.Equal(2, e.Line);
        Assert.Equal(path, e.FilePath);
        Assert.Contains(ChatSkipReasons.NoTrainableTokens, e.Message);
        var ds = SftDataset.Load(path, Tokenizer, new SftOptions { MaxSeqLength = 40, SkipInvalid = true });
        Assert.Single(ds.Examples);
        Assert.Equal(1, ds.Summary.Skipped[ChatSkipReasons.NoTrainableTokens]);
    }

    public static TheoryData<string, string> BadLines => new()
    {
        { "{not json", SkipReasons.BadJson },
        { "[1, 2]", SkipReasons.BadJson },
        { """{"text": "no messages"}""", SkipReasons.MissingField },
        { """{"messages": "a string"}""", SkipReasons.WrongType },
        { """{"messages": [{"role": "user"}]}""", SkipReasons.MissingField },
        { """{"messages": [{"role": "user", "content": 3}]}""", SkipReasons.WrongType },
        { """{"prompt": "only a prompt"}""", SkipReasons.MissingField },
        { """{"messages": [{"role": "robot", "content": "x"}, {"role": "assistant", "content": "y"}]}""", ChatSkipReasons.InvalidConversation },
        { """{"messages": [{"role": "user", "content": "no reply"}]}""", ChatSkipReasons.InvalidConversation },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void Malformed_lines_name_file_and_line_or_are_counted(string bad, string reason)
    {
        string good = Messages(("user", "q"), ("assistant", "a"));
        string path = Write(_tmp, "a.jsonl", good, "", bad, good);
        var e = Assert.Throws<DataFormatException>(() => SftDataset.Load(path, Tokenizer));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(3, e.Line);
        Assert.Contains($"[{reason}]", e.Message);
        var ds = SftDataset.Load(path, Tokenizer, new SftOptions { SkipInvalid = true });
        Assert.Equal(2, ds.Examples.Count);
        Assert.Equal(3, ds.Summary.Records);
        Assert.Equal(new Dictionary<string, long> { [reason] = 1 }, ds.Summary.Skipped);
    }

    [Fact]
    public void Summary_counts_tokens_and_trained_tokens_and_packing_is_optional()
    {
        string path = Write(_tmp, "a.jsonl", Messages(("user", "a"), ("assistant", "b")), Messages(("user", "c"), ("assistant", "d e f")));
        var plain = SftDataset.Load(path, Tokenizer);
        Assert.Same(plain.Examples, plain.Rows);
        Assert.Equal(plain.Examples.Sum(x => x.Length), plain.Summary.Tokens);
        Assert.Equal(plain.Examples.Sum(x => x.Labels.Count(l => l >= 0)), plain.Summary.TrainedTokens);
        Assert.Equal(Tokenizer.PadId, plain.PadId);
        var packed = SftDataset.Load(path, Tokenizer, new SftOptions { Packing = true });
        var row = Assert.Single(packed.Rows);
        Assert.Equal([.. plain.Examples[0].InputIds, .. plain.Examples[1].InputIds], row.InputIds);
    }

    [Fact]
    public void Compressed_files_and_folders_load_in_order()
    {
        string line = Messages(("user", "q"), ("assistant", "a"));
        Write(_tmp, "b.jsonl", line, line);
        using (var gz = new System.IO.Compression.GZipStream(File.Create(_tmp.Sub("a.jsonl.gz")), System.IO.Compression.CompressionLevel.Fastest))
        using (var w = new StreamWriter(gz)) w.WriteLine(line);
        var ds = SftDataset.Load(_tmp.Path, Tokenizer);
        Assert.Equal(3, ds.Examples.Count);
        Assert.EndsWith("a.jsonl.gz:1", ds.Examples[0].Source);
        Assert.EndsWith("b.jsonl:2", ds.Examples[2].Source);
        Write(_tmp, "c.txt", "plain text");
        Assert.Throws<DataFormatException>(() => SftDataset.Load(_tmp.Path, Tokenizer));
    }

    [Fact]
    public void Invalid_utf8_fails_naming_the_offset_or_with_the_option_is_replaced_and_counted()
    {
        string path = _tmp.Sub("latin1.jsonl");
        string line = Messages(("user", "caf"), ("assistant", "ok"));
        int cut = line.IndexOf("caf", StringComparison.Ordinal) + 3;
        // "café" written in Latin-1: one byte 0xE9, invalid in UTF-8, on the second line.
        byte[] bytes = [.. System.Text.Encoding.UTF8.GetBytes(line + "\n"), .. System.Text.Encoding.UTF8.GetBytes(line[..cut]), 0xE9, .. System.Text.Encoding.UTF8.GetBytes(line[cut..] + "\n")];
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => SftDataset.Load(path, Tokenizer));
        Assert.Equal(path, e.FilePath);
        Assert.Contains($"not valid UTF-8 at byte offset {line.Length + 1 + cut}", e.Message);

        var ds = SftDataset.Load(path, Tokenizer, new SftOptions { ReplaceInvalidUtf8 = true });
        Assert.Equal(2, ds.Examples.Count);
        Assert.Contains("caf\uFFFD", Tokenizer.Decode(ds.Examples[1].InputIds, skipSpecialTokens: false));
        Assert.Equal([new KeyValuePair<string, long>(path, 1)], ds.Summary.InvalidUtf8Replaced);
        Assert.Contains("\"invalid_utf8_replaced\"", ds.Summary.ToJson());
        Assert.Empty(SftDataset.Load(Write(_tmp, "ok.jsonl", line), Tokenizer, new SftOptions { ReplaceInvalidUtf8 = true }).Summary.InvalidUtf8Replaced);
    }
}
