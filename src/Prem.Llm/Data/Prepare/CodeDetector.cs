namespace Prem.Llm.Data.Prepare;

/// <summary>
/// A cheap heuristic that tells source code from prose, for dropping code from a pretraining corpus
/// (the Prem-1B recipe trained on prose only). It looks at lines, not tokens, and needs no model:
/// <list type="bullet">
/// <item>a line is <em>code-like</em> when, after trimming, it ends in <c>;</c>, <c>{</c> or <c>}</c>,
/// starts with <c>}</c>, <c>#include</c>, <c>#define</c> or a declaration keyword (<c>def</c>, <c>class</c>,
/// <c>import</c>, <c>using</c>, <c>public</c>, <c>function</c>, <c>const</c>, <c>let</c>, <c>var</c>,
/// <c>package</c>, <c>func</c>, <c>fn</c>, …) followed by a space, is a Python block header (a block keyword
/// such as <c>if</c>/<c>for</c>/<c>def</c> and a trailing <c>:</c>), or contains an operator that prose
/// rarely has (<c>==</c>, <c>!=</c>, <c>=&gt;</c>, <c>-&gt;</c>, <c>::</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>+=</c>);</item>
/// <item>a text is code when at least <see cref="MinCodeLines"/> of its non-blank lines are code-like and
/// they make up at least <see cref="CodeLineShare"/> of them, or when brackets and operators
/// (<c>{}[]()&lt;&gt;;=</c>) are at least <see cref="SymbolShare"/> of its non-space characters.</item>
/// </list>
/// Lowercase keywords only: prose sentences start with capitals, and a wrapped prose line starting with
/// "for" or "if" is not taken as code unless it ends in ":" or ";".
/// </summary>
internal static class CodeDetector
{
    /// <summary>Minimum number of code-like lines before a text can count as code by line share.</summary>
    public const int MinCodeLines = 2;

    /// <summary>Share of non-blank lines that must be code-like.</summary>
    public const double CodeLineShare = 0.3;

    /// <summary>Share of bracket/operator characters among non-space characters that marks code on its own.</summary>
    public const double SymbolShare = 0.08;

    private static readonly string[] _declarationKeywords =
    [
        "def ", "class ", "import ", "using ", "namespace ", "public ", "private ", "protected ",
        "internal ", "static ", "function ", "const ", "let ", "var ", "package ", "func ", "fn ", "struct ",
        "#include", "#define", "#import",
    ];

    private static readonly string[] _blockKeywords =
        ["if ", "elif ", "else", "for ", "while ", "def ", "class ", "try", "except", "finally", "with "];

    private static readonly string[] _operators = ["==", "!=", "=>", "->", "::", "&&", "||", "+="];

    /// <summary>True when <paramref name="text"/> looks like source code by the rules above.</summary>
    public static bool IsLikelyCode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int lines = 0, codeLines = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty) continue;
            lines++;
            if (IsCodeLine(line)) codeLines++;
        }
        if (lines == 0) return false;
        if (codeLines >= MinCodeLines && codeLines >= CodeLineShare * lines) return true;
        return SymbolDensity(text) >= SymbolShare;
    }

    /// <summary>True when one trimmed line is code-like.</summary>
    public static bool IsCodeLine(ReadOnlySpan<char> line)
    {
        if (line.IsEmpty) return false;
        char last = line[^1];
        if (last is ';' or '{' or '}' || line[0] == '}') return true;
        foreach (var k in _declarationKeywords)
            if (line.StartsWith(k, StringComparison.Ordinal) && line.Length > k.Length) return true;
        if (last == ':')
            foreach (var k in _blockKeywords)
                if (line.StartsWith(k, StringComparison.Ordinal)) return true;
        foreach (var op in _operators)
            if (line.Contains(op, StringComparison.Ordinal)) return true;
        return false;
    }

    private static double SymbolDensity(string text)
    {
        int symbols = 0, visible = 0;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c)) continue;
            visible++;
            if (c is '{' or '}' or '[' or ']' or '(' or ')' or '<' or '>' or ';' or '=') symbols++;
        }
        return visible == 0 ? 0 : (double)symbols / visible;
    }
}
