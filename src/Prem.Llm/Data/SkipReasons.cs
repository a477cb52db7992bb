namespace Prem.Llm.Data;

/// <summary>The reasons a record does not become a document; the keys of the skip counts.</summary>
internal static class SkipReasons
{
    /// <summary>The line is not valid JSON, or not a JSON object. A bad line.</summary>
    public const string BadJson = "bad_json";

    /// <summary>The JSON object lacks the text field. A bad line.</summary>
    public const string MissingField = "missing_field";

    /// <summary>The text field is not a string. A bad line.</summary>
    public const string WrongType = "wrong_type";

    /// <summary>The text is empty or only whitespace.</summary>
    public const string Empty = "empty";

    /// <summary>The text has fewer tokens than the minimum (BOS and EOS not counted).</summary>
    public const string TooShort = "too_short";

    /// <summary>The code filter judged the text to be source code (<see cref="Prepare.CodeDetector"/>).</summary>
    public const string Code = "code";

    /// <summary>True for the reasons that mean malformed input (an error unless skipping bad lines).</summary>
    public static bool IsBadLine(string reason) => reason is BadJson or MissingField or WrongType;
}
