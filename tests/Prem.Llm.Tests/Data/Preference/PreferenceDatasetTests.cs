using Prem.Llm.Data;
using Prem.Llm.Text;
using static Prem.Llm.Tests.Data.Sft.ChatTestFiles;

namespace Prem.Llm.Tests.Data.Preference;

public class PreferenceDatasetTests : IDisposable
{
    private readonly TempFolder _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private const string UltraFeedback = """
        {"prompt": "Name a color.", "chosen": [{"role": "user", "content": "Name a color."}, {"role": "assistant", "content": "Blue."}], "rejected": [{"role": "user", "content": "Name a color."}, {"role": "assistant", "content": "Seven."}]}
        """;

    [Fact]
    public void UltraFeedback_style_equals_the_string_form()
    {
        string path = Write(_tmp, "p.jsonl", UltraFeedback, """{"prompt": "Name a color.", "chosen": "Blue.", "rejected": "Seven."}""",
            """{"prompt": [{"role": "user", "content": "Name a color."}], "chosen": [{"role": "assistant", "content": "Blue."}], "rejected": "Seven."}""");
        var ds = PreferenceDataset.Load(path, Tokenizer);
        Assert.Equal(3, ds.Examples.Count);
        foreach (var e in ds.Examples.Skip(1))
        {
            Assert.Equal(ds.Examples[0].PromptIds, e.PromptIds);
            Assert.Equal(ds.Examples[0].ChosenIds, e.ChosenIds);
            Assert.Equal(ds.Examples[0].RejectedIds, e.RejectedIds);
        }
        Assert.Equal("Blue.<|eot_id|>", Tokenizer.Decode(ds.Examples[0].ChosenIds, skipSpecialTokens: false));
        Assert.Equal(3, ds.Summary.Examples);
        Assert.Equal(ds.Examples.Sum(e => e.ChosenIds.Length + e.RejectedIds.Length), ds.Summary.TrainedTokens);
    }

    [Fact]
    public void Multi_turn_conversations_share_all_turns_before_the_last_reply()
    {
        string turns = """[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "2+2?"}""";
        string path = Write(_tmp, "p.jsonl", $$"""{"chosen": {{turns}}, {"role": "assistant", "content": "4"}], "rejected": {{turns}}, {"role": "assistant", "content": "5"}]}""");
        var e = Assert.Single(PreferenceDataset.Load(path, Tokenizer).Examples);
        var expected = new PreferenceEncoder(Tokenizer).Encode([new("user", "hi"), new("assistant", "hello"), new("user", "2+2?")], "4", "5");
        Assert.Equal(expected.PromptIds, e.PromptIds);
        Assert.Equal(expected.ChosenIds, e.ChosenIds);
    }

    public static TheoryData<string, string> BadLines => new()
    {
        { "not json", SkipReasons.BadJson },
        { """{"prompt": "p", "chosen": "a"}""", SkipReasons.MissingField },
        { """{"chosen": "a", "rejected": "b"}""", SkipReasons.MissingField },
        { """{"prompt": "p", "chosen": 5, "rejected": "b"}""", SkipReasons.WrongType },
        { """{"prompt": "p", "chosen": [{"role": "assistant"}], "rejected": "b"}""", SkipReasons.MissingField },
        // Different user turns: not a shared prompt.
        { """{"chosen": [{"role": "user", "content": "A"}, {"role": "assistant", "content": "x"}], "rejected": [{"role": "user", "content": "B"}, {"role": "assistant", "content": "y"}]}""", ChatSkipReasons.PromptMismatch },
        // The prompt field disagrees with the shared turns.
        { """{"prompt": "other", "chosen": [{"role": "user", "content": "A"}, {"role": "assistant", "content": "x"}], "rejected": [{"role": "user", "content": "A"}, {"role": "assistant", "content": "y"}]}""", ChatSkipReasons.PromptMismatch },
        // The last message is not an assistant turn.
        { """{"prompt": "p", "chosen": [{"role": "user", "content": "x"}], "rejected": "y"}""", ChatSkipReasons.PromptMismatch },
        { """{"prompt": [{"role": "wizard", "content": "p"}], "chosen": "a", "rejected": "b"}""", ChatSkipReasons.InvalidConversation },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void Malformed_lines_name_file_and_line_or_are_counted(string bad, string reason)
    {
        string path = Write(_tmp, "p.jsonl", UltraFeedback, bad);
        var e = Assert.Throws<DataFormatException>(() => PreferenceDataset.Load(path, Tokenizer));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(2, e.Line);
        Assert.Contains($"[{reason}]", e.Message);
        var ds = PreferenceDataset.Load(path, Tokenizer, new PreferenceOptions { SkipInvalid = true });
        Assert.Single(ds.Examples);
        Assert.Equal(2, ds.Summary.Records);
        Assert.Equal(new Dictionary<string, long> { [reason] = 1 }, ds.Summary.Skipped);
    }

    [Fact]
    public void Invalid_utf8_fails_naming_the_offset_or_with_the_option_is_replaced_and_counted()
    {
        string path = _tmp.Sub("bad.jsonl.zst");
        const string before = "{\"prompt\": \"Name a colo";
        // Two invalid bytes in a compressed file: 0xC3 starts a 2-byte sequence that "u" does not continue; 0xFF is never valid.
        TestCorpus.WriteBytes(path, [.. System.Text.Encoding.UTF8.GetBytes(before), 0xC3, .. "u\", \"chosen\": \"Blue.\", \"rejected\": \"Sev"u8, 0xFF, .. "en.\"}\n"u8]);
        var e = Assert.Throws<DataFormatException>(() => PreferenceDataset.Load(path, Tokenizer));
        Assert.Equal($"{path}: not valid UTF-8 at byte offset {before.Length} (save the file as UTF-8)", e.Message);

        var ds = PreferenceDataset.Load(path, Tokenizer, new PreferenceOptions { ReplaceInvalidUtf8 = true });
        Assert.Equal("Sev\uFFFDen.<|eot_id|>", Tokenizer.Decode(Assert.Single(ds.Examples).RejectedIds, skipSpecialTokens: false));
        Assert.Equal(2, ds.Summary.InvalidUtf8Replaced[path]);
    }
}
