using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Data;

/// <summary>
/// A preference record's turns, read from <c>{"prompt", "chosen", "rejected"}</c> where each field is a
/// string or a message list:
/// <list type="bullet">
/// <item>string responses are the assistant's reply to the prompt (a string prompt is one user turn);</item>
/// <item>list responses (UltraFeedback-binarized style) are whole conversations that share the prompt
/// turns: their common prefix is the prompt and each must continue with exactly one assistant message.
/// When the <c>prompt</c> field is present too it must agree — a list equal to the shared turns, or a
/// string equal (after strip) to the last shared turn, a user turn. With no shared turns (responses given
/// as <c>[{"role": "assistant", …}]</c>) the <c>prompt</c> field supplies the prompt.</item>
/// </list>
/// </summary>
/// <param name="Prompt">The prompt turns.</param>
/// <param name="Chosen">The preferred assistant reply.</param>
/// <param name="Rejected">The dispreferred assistant reply.</param>
internal sealed record PreferenceRecord(List<ChatMessage> Prompt, string Chosen, string Rejected)
{
    /// <summary>Reads one record; problems are raised as <see cref="ChatRecordProblem"/>.</summary>
    public static PreferenceRecord Read(JsonElement json, string file, long line)
    {
        var chosen = ChatJson.Turns(ChatJson.Read(json, "chosen", required: true, file, line)!.Value, ChatMessage.Assistant);
        var rejected = ChatJson.Turns(ChatJson.Read(json, "rejected", required: true, file, line)!.Value, ChatMessage.Assistant);
        var prompt = ChatJson.Read(json, "prompt", required: false, file, line);

        // Shared turns, leaving each side at least its last message.
        int shared = 0;
        while (shared < chosen.Count - 1 && shared < rejected.Count - 1 && chosen[shared] == rejected[shared]) shared++;
        if (chosen.Count - shared != 1 || rejected.Count - shared != 1)
            throw new ChatRecordProblem(ChatSkipReasons.PromptMismatch,
                $"chosen and rejected must share their turns up to one final assistant message each; they differ from message {shared} on.");
        var chosenReply = chosen[^1];
        var rejectedReply = rejected[^1];
        if (chosenReply.Role != ChatMessage.Assistant || rejectedReply.Role != ChatMessage.Assistant)
            throw new ChatRecordProblem(ChatSkipReasons.PromptMismatch,
                $"the final messages must be assistant turns, found '{chosenReply.Role}' and '{rejectedReply.Role}'.");

        List<ChatMessage> turns;
        if (shared > 0)
        {
            turns = chosen[..shared];
            if (prompt is { } p && !Agrees(p, turns))
                throw new ChatRecordProblem(ChatSkipReasons.PromptMismatch, "the prompt field differs from the turns chosen and rejected share.", "prompt");
        }
        else
        {
            if (prompt is null) throw new ChatRecordProblem(SkipReasons.MissingField, "missing: the responses carry no prompt turns.", "prompt");
            turns = ChatJson.Turns(prompt.Value, ChatMessage.User);
        }
        return new PreferenceRecord(turns, chosenReply.Content, rejectedReply.Content);
    }

    private static bool Agrees(ChatJson.TextOrMessages prompt, List<ChatMessage> shared) =>
        prompt.Messages is { } list
            ? list.SequenceEqual(shared)
            : shared[^1].Role == ChatMessage.User && PythonStrip.Strip(shared[^1].Content) == PythonStrip.Strip(prompt.Text!);
}
