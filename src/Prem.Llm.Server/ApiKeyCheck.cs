using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Prem.Llm.Server;

/// <summary>The optional bearer key: every /v1 request must carry <c>Authorization: Bearer KEY</c>, compared in constant time.</summary>
internal sealed class ApiKeyCheck(string key)
{
    readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments("/v1")) return next(context);
        string header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw new OpenAiException(401, "You didn't provide an API key. Send it in an Authorization header: 'Authorization: Bearer YOUR_KEY'.", null, "missing_api_key");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()), _key))
            throw new OpenAiException(401, "Incorrect API key provided.", null, "invalid_api_key");
        return next(context);
    }
}
