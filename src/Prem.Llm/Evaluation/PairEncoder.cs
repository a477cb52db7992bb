using Prem.Llm.Text;
using Prem.Llm.Evaluation.Tasks;

namespace Prem.Llm.Evaluation;

/// <summary>
/// lm-eval's causal-LM tokenization of a (context, continuation) pair (<c>LM._encode_pair</c> and
/// <c>loglikelihood</c>): trailing whitespace of the context moves to the front of the continuation;
/// <c>whole = encode(context + continuation)</c>, <c>ctx = encode(context)</c>, continuation ids =
/// <c>whole[len(ctx):]</c>. <c>encode</c> adds the tokenizer's default special tokens (BOS for Llama).
/// An empty context becomes the prefix token (BOS) before the continuation encoded without specials.
/// </summary>
internal sealed class PairEncoder
{
    private readonly ITextTokenizer _tokenizer;
    private readonly bool _addBos;

    /// <summary>Creates an encoder; <paramref name="addBos"/> is the tokenizer's default (true for Llama).</summary>
    public PairEncoder(ITextTokenizer tokenizer, bool addBos = true)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _addBos = addBos;
    }

    /// <summary>Encodes one pair. Throws <see cref="EvaluationException"/> when the continuation has no tokens.</summary>
    public TokenizedRequest Encode(string context, string continuation)
    {
        int[] contextIds, continuationIds;
        if (context.Length == 0)
        {
            var cont = _tokenizer.Encode(continuation, addBos: false);
            int prefix = _tokenizer.BosId;
            // lm-eval: when the continuation already starts with the prefix token, that token is the context.
            (contextIds, continuationIds) = cont.Count > 0 && cont[0] == prefix
                ? (new[] { cont[0] }, cont.Skip(1).ToArray())
                : (new[] { prefix }, cont.ToArray());
        }
        else
        {
            string trimmed = PythonStrip.RStrip(context);
            if (trimmed.Length < context.Length)
            {
                continuation = context[trimmed.Length..] + continuation;
                context = trimmed;
            }
            var whole = _tokenizer.Encode(context + continuation, addBos: _addBos);
            contextIds = _tokenizer.Encode(context, addBos: _addBos).ToArray();
            continuationIds = whole.Skip(contextIds.Length).ToArray();
        }
        if (continuationIds.Length == 0)
            throw new EvaluationException($"continuation \"{continuation}\" encodes to no tokens after context \"{Shorten(context)}\"");
        return new TokenizedRequest(contextIds, continuationIds);
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : "…" + text[^60..];
}
