namespace Prem.Llm.Server;

/// <summary>
/// A request the server refuses, answered as OpenAI does: the HTTP status and
/// <c>{"error":{"message","type","param","code"}}</c>.
/// </summary>
internal sealed class OpenAiException(int status, string message, string? param = null, string? code = null, string type = "invalid_request_error")
    : Exception(message)
{
    /// <summary>The HTTP status code.</summary>
    public int Status { get; } = status;

    /// <summary>The request field at fault, or null.</summary>
    public string? Param { get; } = param;

    /// <summary>A short machine-readable code, or null.</summary>
    public string? Code { get; } = code;

    /// <summary>OpenAI's error type: invalid_request_error, rate_limit_error, server_error…</summary>
    public string Type { get; } = type;

    /// <summary>The error body.</summary>
    public object Body => new { error = new { message = Message, type = Type, param = Param, code = Code } };

    /// <summary>A 400 for field <paramref name="param"/>.</summary>
    public static OpenAiException Invalid(string param, string message) => new(400, message, param, "invalid_value");
}
