using Prem.Llm.Data;
using Prem.Llm.Text;
using static Prem.Llm.Tests.Data.Sft.ChatTestFiles;

namespace Prem.Llm.Tests.Data.Preference;

public class PreferenceEncoderTests
{
    private static readonly List<ChatMessage> _prompt = [new("system", "Be brief."), new("user", "What is the capital of France?")];

    private static int Count(IEnumerable<int> ids, int id) => ids.Count(x => x == id);

    [Fact]
    public void Prompt_is_a_prefix_of_prompt_plus_chosen_and_rejected_with_one_bos()
    {
        var encoder = new PreferenceEncoder(Tokenizer);
        var e = encoder.Encode(_prompt, "Paris.", "It is Lyon, I think.");
        // Independent reference: the whole conversations as the SFT encoder renders them.
        var sft = new ConversationEncoder(Tokenizer, Llama3ChatTemplate.Llama2Vocabulary);
        var fullChosen = sft.Encode([.. _prompt, new("assistant", "Paris.")])!.InputIds;
        var fullRejected = sft.Encode([.. _prompt, new("assistant", "It is Lyon, I think.")])!.InputIds;
        Assert.Equal(fullChosen, (int[])[.. e.PromptIds, .. e.ChosenIds]);
        Assert.Equal(fullRejected, (int[])[.. e.PromptIds, .. e.RejectedIds]);
        Assert.Equal(fullChosen[..e.PromptIds.Length], e.PromptIds);
        Assert.Equal(1, Count([.. e.PromptIds, .. e.ChosenIds], Tokenizer.BosId));
        Assert.Equal(1, Count([.. e.PromptIds, .. e.RejectedIds], Tokenizer.BosId));
        Assert.Equal(Tokenizer.BosId, e.PromptIds[0]);
        // The prompt ends with the generation prompt; the responses are content + eot.
        Assert.EndsWith("<|start_header_id|> assistant<|end_header_id|>", Tokenizer.Decode(e.PromptIds, skipSpecialTokens: false).TrimEnd());
        Assert.Equal("Paris.<|eot_id|>", Tokenizer.Decode(e.ChosenIds, skipSpecialTokens: false));
        Assert.Equal(Id("<|eot_id|>"), e.RejectedIds[^1]);
        Assert.False(e.Truncated);
    }

    [Fact]
    public void Head_is_bos_and_the_first_header()
    {
        var encoder = new PreferenceEncoder(Tokenizer);
        var e = encoder.Encode(_prompt, "a", "b");
        int head = encoder.HeadLength(e.PromptIds);
        Assert.Equal(Id("<|end_header_id|>"), e.PromptIds[head - 1]);
        Assert.Equal([Tokenizer.BosId, Id("<|start_header_id|>")], e.PromptIds[..2]);
        Assert.Equal("system", Tokenizer.Decode(e.PromptIds[2..(head - 1)], skipSpecialTokens: false).Trim());
    }

    [Fact]
    public void Long_prompts_are_cut_from_the_left_keeping_the_head()
    {
        var longPrompt = new List<ChatMessage> { new("user", string.Join(" ", Enumerable.Range(0, 200).Select(i => "context" + i))) };
        var options = new PreferenceOptions { MaxLength = 120, MaxPromptLength = 50 };
        var full = new PreferenceEncoder(Tokenizer).Encode(longPrompt, "yes", "no");
        var encoder = new PreferenceEncoder(Tokenizer, options);
        var e = encoder.Encode(longPrompt, "yes", "no");
        int head = encoder.HeadLength(full.PromptIds);
        Assert.True(e.Truncated);
        Assert.Equal(50, e.PromptIds.Length);
        Assert.Equal(full.PromptIds[..head], e.PromptIds[..head]);
        Assert.Equal(full.PromptIds[^(50 - head)..], e.PromptIds[head..]);
        Assert.Equal(full.ChosenIds, e.ChosenIds);
        Assert.Equal(1, Count(e.PromptIds, Tokenizer.BosId));
    }

    [Fact]
    public void A_prompt_that_fits_with_its_responses_is_kept_whole()
    {
        var options = new PreferenceOptions { MaxLength = 200, MaxPromptLength = 10 };
        var e = new PreferenceEncoder(Tokenizer, options).Encode(_prompt, "Paris.", "Lyon.");
        Assert.True(e.PromptIds.Length > 10);
        Assert.False(e.Truncated);
    }

    [Fact]
    public void Truncate_applies_prompt_then_response_rules()
    {
        int[] p = [.. Enumerable.Range(100, 30)], c = [.. Enumerable.Range(200, 40)], r = [.. Enumerable.Range(300, 10)];
        // Too long: prompt to 20 (head 3 + last 17), then responses to 50 - 20 = 30.
        var (p2, c2, r2) = PreferenceEncoder.Truncate(p, c, r, headLength: 3, maxLength: 50, maxPromptLength: 20);
        Assert.Equal([100, 101, 102, .. Enumerable.Range(113, 17)], p2);
        Assert.Equal(c[..30], c2);
        Assert.Equal(r, r2);
        // Fits: nothing changes even though the prompt exceeds max_prompt_length.
        var (p3, c3, _) = PreferenceEncoder.Truncate(p, c, r, 3, 70, 20);
        Assert.Same(p, p3);
        Assert.Same(c, c3);
        // Prompt within max_prompt_length but the total too long: only the responses are cut.
        var (p4, c4, r4) = PreferenceEncoder.Truncate(p, c, r, 3, 45, 40);
        Assert.Same(p, p4);
        Assert.Equal(c[..15], c4);
        Assert.Equal(r, r4);
        Assert.Throws<ArgumentOutOfRangeException>(() => PreferenceEncoder.Truncate(p, c, r, 3, 45, 3));
    }

    [Fact]
    public void Responses_are_cut_to_max_length()
    {
        string reply = string.Join(" ", Enumerable.Range(0, 80).Select(i => "w" + i));
        var full = new PreferenceEncoder(Tokenizer).Encode(_prompt, reply, "short");
        var e = new PreferenceEncoder(Tokenizer, new PreferenceOptions { MaxLength = full.PromptIds.Length + 10, MaxPromptLength = full.PromptIds.Length }).Encode(_prompt, reply, "short");
        Assert.Equal(full.PromptIds, e.PromptIds);
        Assert.Equal(full.ChosenIds[..10], e.ChosenIds);
        Assert.Equal(full.RejectedIds, e.RejectedIds);
        Assert.True(e.Truncated);
    }

    [Fact]
    public void Invalid_prompts_and_options_are_refused()
    {
        var encoder = new PreferenceEncoder(Tokenizer);
        var e = Assert.Throws<DataFormatException>(() => encoder.Encode([new("robot", "x")], "a", "b", "f.jsonl:4"));
        Assert.Contains("f.jsonl:4", e.Message);
        Assert.Contains(ChatSkipReasons.InvalidConversation, e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PreferenceEncoder(Tokenizer, new PreferenceOptions { MaxLength = 10, MaxPromptLength = 10 }));
    }

    [Fact]
    public void AnyTemplate_WhoseGenerationPromptIsNotAPrefix_SplitsWhereTheReplyIsTrained()
    {
        // The generation prompt ("Answer:") differs from how the template opens an assistant turn ("assistant:").
        const string source = "{{ bos_token }}{% for m in messages %}{{ m.role }}: {{ m.content }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}Answer:{% endif %}";
        var template = new JinjaChatTemplate(source, "<s>", controlTokens: ["<|eot_id|>"]);
        var e = new PreferenceEncoder(Tokenizer, new PreferenceOptions { Template = template }).Encode(_prompt, "Paris.", "Lyon.");
        var sft = new ConversationEncoder(Tokenizer, template);
        Assert.Equal(sft.Encode([.. _prompt, new("assistant", "Paris.")])!.InputIds, (int[])[.. e.PromptIds, .. e.ChosenIds]);
        Assert.Equal(sft.Encode([.. _prompt, new("assistant", "Lyon.")])!.InputIds, (int[])[.. e.PromptIds, .. e.RejectedIds]);
        Assert.Equal("Paris.<|eot_id|>", Tokenizer.Decode(e.ChosenIds, skipSpecialTokens: false).TrimStart());
        Assert.EndsWith("assistant:", Tokenizer.Decode(e.PromptIds, skipSpecialTokens: false).TrimEnd());
    }
}
