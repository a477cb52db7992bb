namespace Prem.Llm.Tests.Modeling;

/// <summary>Seeded mutations of a JSON text for the config parsers' fuzz tests: structure and values broken at random.</summary>
internal static class JsonMutations
{
    static readonly string[] _tokens =
    [
        "null", "true", "false", "0", "-1", "1e308", "-1e308", "1.5", "NaN", "\"x\"", "\"\"", "[]", "{}", "[1, \"a\"]",
        "{\"rope_type\": \"llama3\"}", "2147483648", "-2147483649", "99999999999999999999", "\"bfloat16\"", "\"gpt2\"",
        "\"mistral\"", "[\"MistralForCausalLM\"]", "[[[[[[[[]]]]]]]]", ",", ":", "}", "{", "\"", "\\u0000",
    ];

    public static string Mutate(string json, Random random)
    {
        var text = json;
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            int at = random.Next(text.Length + 1);
            switch (random.Next(4))
            {
                case 0: // replace a value after a colon
                    int colon = text.IndexOf(':', Math.Min(at, text.Length));
                    if (colon < 0) goto case 1;
                    int end = text.IndexOfAny([',', '}'], colon + 1);
                    if (end < 0) end = text.Length;
                    text = text[..(colon + 1)] + " " + _tokens[random.Next(_tokens.Length)] + text[end..];
                    break;
                case 1: // insert a token
                    text = text.Insert(at, _tokens[random.Next(_tokens.Length)]);
                    break;
                case 2: // delete a span
                    int length = Math.Min(random.Next(1, 12), text.Length - Math.Min(at, text.Length));
                    text = text.Remove(Math.Min(at, text.Length), length);
                    break;
                default: // truncate
                    text = text[..at];
                    break;
            }
        }
        return text;
    }
}
