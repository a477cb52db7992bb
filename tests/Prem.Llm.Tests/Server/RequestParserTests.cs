using System.Text;
using System.Text.Json;
using Prem.Llm.AI;
using Prem.Llm.Server;
using Prem.Llm.Tests.AI;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Server;

public class RequestParserTests
{
    static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void Text_parts_and_the_developer_role_read_as_plain_messages()
    {
        using var model = ChatModel.Load(ChatTestModels.Stories);
        var parser = new RequestParser(model, 512);
        string m = model.Name;
        var parts = parser.Chat(Json($$"""{"model":"{{m}}","messages":[{"role":"developer","content":"Be kind."},{"role":"user","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there."}]}]}"""));
        var expected = model.EncodePrompt([new ChatMessage(ChatMessage.System, "Be kind."), new ChatMessage(ChatMessage.User, "Hi there.")]);
        Assert.Equal(expected, parts.Prompt);
        Assert.False(parts.Stream);
        Assert.Empty(parts.Stop);
    }

    [Fact]
    public void Sampling_fields_override_the_folder_defaults_and_max_tokens_defaults_to_what_fits()
    {
        using var model = ChatModel.Load(ChatTestModels.Stories);
        var parser = new RequestParser(model, 512);
        string m = model.Name;
        var plain = parser.Chat(Json($$"""{"model":"{{m}}","messages":[{"role":"user","content":"Hi"}]}"""));
        var defaults = model.Sampling(plain.Prompt.Length);
        Assert.Equal(Math.Min(defaults.MaxNewTokens, 512 - plain.Prompt.Length), plain.Sampling.MaxNewTokens);
        Assert.Equal(defaults.Temperature, plain.Sampling.Temperature);
        Assert.Equal(model.StopTokenIds, plain.Sampling.StopTokenIds);

        var tuned = parser.Chat(Json($$"""{"model":"{{m}}","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":7,"temperature":0.5,"top_p":0.9,"seed":42,"stop":"x","stream":true,"stream_options":{"include_usage":true},"n":1}"""));
        Assert.Equal(7, tuned.Sampling.MaxNewTokens);
        Assert.Equal(0.5, tuned.Sampling.Temperature);
        Assert.Equal(0.9, tuned.Sampling.TopP);
        Assert.Equal(42, tuned.Sampling.Seed);
        Assert.Equal(["x"], tuned.Stop);
        Assert.True(tuned.Stream);
        Assert.True(tuned.IncludeUsage);

        var completion = parser.Completion(Json($$"""{"model":"{{m}}","prompt":["Once upon a time"],"max_tokens":3}"""));
        Assert.Equal(model.Tokenizer.Encode("Once upon a time", addBos: true), completion.Prompt);
    }

    [Fact]
    public void Mutated_request_bodies_are_refused_with_a_4xx_or_accepted_never_anything_else()
    {
        // A seeded sample of mutations of a valid body (the request body is untrusted network input).
        using var model = ChatModel.Load(ChatTestModels.Stories);
        var parser = new RequestParser(model, 512);
        string valid = $$$"""{"model":"{{{model.Name}}}","messages":[{"role":"system","content":"S"},{"role":"user","content":[{"type":"text","text":"Hi"}]}],"max_tokens":5,"temperature":0.7,"top_p":0.9,"seed":3,"stop":["a","b"],"n":1,"stream":false,"stream_options":{"include_usage":true}}""";
        string[] tokens = ["null", "true", "-1", "1e309", "\"\"", "[]", "{}", "0.5", "9223372036854775808", "\"user\"", ",", ":", "\"\\ud800\""];
        var random = new Random(18);
        int accepted = 0, refused = 0, notJson = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var text = new StringBuilder(valid);
            for (int k = random.Next(1, 4); k > 0; k--)
            {
                int at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at)); break;
                    case 1: text.Insert(at, tokens[random.Next(tokens.Length)]); break;
                    default: text[at] = (char)random.Next(32, 127); break;
                }
            }
            JsonElement root;
            try
            {
                root = Json(text.ToString());
            }
            catch (JsonException)
            {
                notJson++;
                continue;
            }
            try
            {
                var request = parser.Chat(root);
                request.Sampling.Validate();
                Assert.InRange(request.Prompt.Length + request.Sampling.MaxNewTokens, 1, 512);
                accepted++;
            }
            catch (OpenAiException e)
            {
                Assert.InRange(e.Status, 400, 499);
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                refused++;
            }
        }
        Assert.True(accepted > 100 && refused > 100 && notJson > 100, $"accepted {accepted}, refused {refused}, not JSON {notJson}");
    }
}
