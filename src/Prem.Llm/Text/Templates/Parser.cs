using System.Globalization;

namespace Prem.Llm.Text.Templates;

/// <summary>
/// Builds statements and expressions from the lexer's tokens with jinja2's grammar and operator
/// precedence (<c>if-else</c> &lt; <c>or</c> &lt; <c>and</c> &lt; <c>not</c> &lt; comparisons &lt;
/// <c>+ -</c> &lt; <c>~</c> &lt; <c>* / // %</c> &lt; <c>**</c> &lt; unary &lt; postfix, filters, tests).
/// Nesting is bounded so a hostile template cannot exhaust the stack.
/// </summary>
internal sealed class Parser
{
    const int MaxDepth = 200;
    static readonly HashSet<string> _compareOps = ["==", "!=", "<", ">", "<=", ">="];

    readonly List<Token> _tokens;
    int _i;
    int _depth;

    Parser(List<Token> tokens) => _tokens = tokens;

    public static Stmt[] Parse(string source)
    {
        var parser = new Parser(Lexer.Tokenize(source));
        var body = parser.ParseBody([], out _);
        return body;
    }

    Token Peek => _tokens[_i];

    Token PeekAt(int k) => _tokens[Math.Min(_i + k, _tokens.Count - 1)];

    Token Next() => _tokens[_i < _tokens.Count - 1 ? _i++ : _i];

    static TemplateException Error(string message, Token at) => new(message, at.Line, at.Column);

    Token Expect(TokenKind kind, string? text = null)
    {
        var t = Peek;
        if (t.Kind != kind || (text is not null && t.Text != text))
            throw Error($"expected {(text is null ? kind.ToString() : $"'{text}'")}, got {Describe(t)}", t);
        return Next();
    }

    static string Describe(Token t) => t.Kind switch
    {
        TokenKind.End => "end of template",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.Data => "template data",
        _ => $"'{t.Text}'",
    };

    void Enter(Token at)
    {
        if (++_depth > MaxDepth) throw Error($"template nesting deeper than {MaxDepth}", at);
    }

    // Parses statements until a block tag whose name is in `ends`; returns that name (null at end of input).
    Stmt[] ParseBody(string[] ends, out string? endedBy)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var t = Peek;
            switch (t.Kind)
            {
                case TokenKind.End:
                    if (ends.Length > 0) throw Error($"Unexpected end of template. Jinja was looking for the following tags: {string.Join(" or ", ends.Select(e => $"'{e}'"))}.", t);
                    endedBy = null;
                    return [.. body];
                case TokenKind.Data:
                    Next();
                    body.Add(new DataStmt(t.Text, t.Line, t.Column));
                    break;
                case TokenKind.VariableBegin:
                    Next();
                    var value = ParseTuple();
                    Expect(TokenKind.VariableEnd);
                    body.Add(new PrintStmt(value, t.Line, t.Column));
                    break;
                case TokenKind.BlockBegin:
                    var name = PeekAt(1);
                    if (name.Kind == TokenKind.Name && ends.Contains(name.Text))
                    {
                        Next();
                        Next();
                        endedBy = name.Text;
                        return [.. body];
                    }
                    Next();
                    body.Add(ParseStatement());
                    break;
                default:
                    throw Error($"unexpected {Describe(t)}", t);
            }
        }
    }

    Stmt ParseStatement()
    {
        var t = Expect(TokenKind.Name);
        Enter(t);
        try
        {
            return t.Text switch
            {
                "if" => ParseIf(t),
                "for" => ParseFor(t),
                "set" => ParseSet(t),
                "macro" => ParseMacro(t),
                "call" => ParseCallBlock(t),
                "filter" => ParseFilterBlock(t),
                "with" => ParseWith(t),
                "generation" => ParseGeneration(t),
                "break" or "continue" => EndOfTag(new LoopControlStmt(t.Text == "break", t.Line, t.Column)),
                _ => throw Error($"Encountered unknown tag '{t.Text}'.", t),
            };
        }
        finally
        {
            _depth--;
        }
    }

    T EndOfTag<T>(T node)
    {
        Expect(TokenKind.BlockEnd);
        return node;
    }

    Stmt ParseIf(Token at)
    {
        var branches = new List<(Expr, Stmt[])>();
        Stmt[]? elseBody = null;
        var test = ParseTuple(withCondExpr: false);
        Expect(TokenKind.BlockEnd);
        while (true)
        {
            var body = ParseBody(["elif", "else", "endif"], out var end);
            branches.Add((test, body));
            if (end == "elif")
            {
                test = ParseTuple(withCondExpr: false);
                Expect(TokenKind.BlockEnd);
                continue;
            }
            if (end == "else")
            {
                Expect(TokenKind.BlockEnd);
                elseBody = ParseBody(["endif"], out _);
            }
            Expect(TokenKind.BlockEnd);
            return new IfStmt([.. branches], elseBody, at.Line, at.Column);
        }
    }

    Stmt ParseFor(Token at)
    {
        var target = ParseAssignTarget(allowAttribute: false, extraEnd: "in");
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withCondExpr: false, extraEnd: "recursive");
        Expr? filter = null;
        if (Peek.IsName("if"))
        {
            Next();
            filter = ParseExpression();
        }
        bool recursive = false;
        if (Peek.IsName("recursive"))
        {
            Next();
            recursive = true;
        }
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endfor", "else"], out var end);
        Stmt[]? elseBody = null;
        if (end == "else")
        {
            Expect(TokenKind.BlockEnd);
            elseBody = ParseBody(["endfor"], out _);
        }
        Expect(TokenKind.BlockEnd);
        return new ForStmt(target, iterable, filter, recursive, body, elseBody, at.Line, at.Column);
    }

    Stmt ParseSet(Token at)
    {
        var target = ParseAssignTarget(allowAttribute: true);
        if (Peek.IsOperator("="))
        {
            Next();
            var value = ParseTuple();
            return EndOfTag(new SetStmt(target, value, at.Line, at.Column));
        }
        var filters = new List<FilterExpr>();
        while (Peek.IsOperator("|"))
        {
            Next();
            filters.Add(ParseFilterCall(null));
        }
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endset"], out _);
        Expect(TokenKind.BlockEnd);
        return new SetBlockStmt(target, [.. filters], body, at.Line, at.Column);
    }

    Expr ParseAssignTarget(bool allowAttribute, string? extraEnd = null)
    {
        var first = Peek;
        var items = new List<Expr>();
        bool tuple = false;
        while (true)
        {
            var name = Expect(TokenKind.Name);
            Expr target = new NameExpr(name.Text, name.Line, name.Column);
            if (allowAttribute && Peek.IsOperator("."))
            {
                Next();
                var attr = Expect(TokenKind.Name);
                target = new AttrExpr(target, attr.Text, attr.Line, attr.Column);
            }
            if (target is NameExpr n && n.Name is "true" or "false" or "none" or "True" or "False" or "None")
                throw Error($"can't assign to {n.Name}", name);
            items.Add(target);
            if (!Peek.IsOperator(",")) break;
            Next();
            tuple = true;
            if (Peek.Kind != TokenKind.Name || (extraEnd is not null && Peek.IsName(extraEnd))) break;
        }
        return tuple ? new ListExpr([.. items], true, first.Line, first.Column) : items[0];
    }

    Stmt ParseMacro(Token at)
    {
        var name = Expect(TokenKind.Name);
        var (names, defaults) = ParseSignature();
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endmacro"], out _);
        Expect(TokenKind.BlockEnd);
        return new MacroStmt(name.Text, names, defaults, body, at.Line, at.Column);
    }

    (string[] Names, Expr?[] Defaults) ParseSignature()
    {
        var names = new List<string>();
        var defaults = new List<Expr?>();
        Expect(TokenKind.Operator, "(");
        while (!Peek.IsOperator(")"))
        {
            if (names.Count > 0) Expect(TokenKind.Operator, ",");
            if (Peek.IsOperator(")")) break;
            var p = Expect(TokenKind.Name);
            names.Add(p.Text);
            if (Peek.IsOperator("="))
            {
                Next();
                defaults.Add(ParseExpression());
            }
            else
            {
                if (defaults.Any(d => d is not null)) throw Error("non-default argument follows default argument", p);
                defaults.Add(null);
            }
        }
        Next();
        return ([.. names], [.. defaults]);
    }

    Stmt ParseCallBlock(Token at)
    {
        string[] names = [];
        Expr?[] defaults = [];
        if (Peek.IsOperator("(")) (names, defaults) = ParseSignature();
        var call = ParseExpression();
        if (call is not CallExpr c) throw Error("expected call", at);
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endcall"], out _);
        Expect(TokenKind.BlockEnd);
        return new CallBlockStmt(c, names, defaults, body, at.Line, at.Column);
    }

    Stmt ParseFilterBlock(Token at)
    {
        var filters = new List<FilterExpr> { ParseFilterCall(null) };
        while (Peek.IsOperator("|"))
        {
            Next();
            filters.Add(ParseFilterCall(null));
        }
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endfilter"], out _);
        Expect(TokenKind.BlockEnd);
        return new FilterBlockStmt([.. filters], body, at.Line, at.Column);
    }

    Stmt ParseWith(Token at)
    {
        var assignments = new List<(Expr, Expr)>();
        while (Peek.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0) Expect(TokenKind.Operator, ",");
            var target = ParseAssignTarget(allowAttribute: false);
            Expect(TokenKind.Operator, "=");
            assignments.Add((target, ParseExpression()));
        }
        Next();
        var body = ParseBody(["endwith"], out _);
        Expect(TokenKind.BlockEnd);
        return new WithStmt([.. assignments], body, at.Line, at.Column);
    }

    Stmt ParseGeneration(Token at)
    {
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endgeneration"], out _);
        Expect(TokenKind.BlockEnd);
        return new GenerationStmt(body, at.Line, at.Column);
    }

    // Expressions --------------------------------------------------------------------------------------

    // A bare tuple "a, b" where jinja2 allows one (print, set value, for iterable, if test).
    Expr ParseTuple(bool withCondExpr = true, string? extraEnd = null)
    {
        var first = Peek;
        var items = new List<Expr>();
        bool tuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                if (!Peek.IsOperator(",")) break;
                Next();
                tuple = true;
                if (Peek.Kind is TokenKind.BlockEnd or TokenKind.VariableEnd || Peek.IsOperator(")") || (extraEnd is not null && Peek.IsName(extraEnd)) || Peek.IsName("if")) break;
            }
            items.Add(withCondExpr ? ParseExpression() : ParseOr());
        }
        return tuple ? new ListExpr([.. items], true, first.Line, first.Column) : items[0];
    }

    Expr ParseExpression()
    {
        Enter(Peek);
        try
        {
            var expr = ParseOr();
            while (Peek.IsName("if"))
            {
                var at = Next();
                var test = ParseOr();
                Expr? otherwise = null;
                if (Peek.IsName("else"))
                {
                    Next();
                    otherwise = ParseExpression();
                }
                expr = new CondExpr(test, expr, otherwise, at.Line, at.Column);
            }
            return expr;
        }
        finally
        {
            _depth--;
        }
    }

    Expr ParseOr()
    {
        var left = ParseAnd();
        while (Peek.IsName("or"))
        {
            var at = Next();
            left = new BinaryExpr("or", left, ParseAnd(), at.Line, at.Column);
        }
        return left;
    }

    Expr ParseAnd()
    {
        var left = ParseNot();
        while (Peek.IsName("and"))
        {
            var at = Next();
            left = new BinaryExpr("and", left, ParseNot(), at.Line, at.Column);
        }
        return left;
    }

    Expr ParseNot()
    {
        if (Peek.IsName("not"))
        {
            var at = Next();
            Enter(at);
            try { return new UnaryExpr("not", ParseNot(), at.Line, at.Column); }
            finally { _depth--; }
        }
        return ParseCompare();
    }

    Expr ParseCompare()
    {
        var first = ParseMath1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.Operator && _compareOps.Contains(t.Text))
            {
                Next();
                rest.Add((t.Text, ParseMath1()));
            }
            else if (t.IsName("in"))
            {
                Next();
                rest.Add(("in", ParseMath1()));
            }
            else if (t.IsName("not") && PeekAt(1).IsName("in"))
            {
                Next();
                Next();
                rest.Add(("notin", ParseMath1()));
            }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpr(first, [.. rest], first.Line, first.Column);
    }

    Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Peek.IsOperator("+") || Peek.IsOperator("-"))
        {
            var at = Next();
            left = new BinaryExpr(at.Text, left, ParseConcat(), at.Line, at.Column);
        }
        return left;
    }

    Expr ParseConcat()
    {
        var left = ParseMath2();
        while (Peek.IsOperator("~"))
        {
            var at = Next();
            left = new BinaryExpr("~", left, ParseMath2(), at.Line, at.Column);
        }
        return left;
    }

    Expr ParseMath2()
    {
        var left = ParsePow();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "*" or "/" or "//" or "%")
        {
            var at = Next();
            left = new BinaryExpr(at.Text, left, ParsePow(), at.Line, at.Column);
        }
        return left;
    }

    Expr ParsePow()
    {
        var left = ParseUnary(withFilter: true);
        while (Peek.IsOperator("**"))
        {
            var at = Next();
            left = new BinaryExpr("**", left, ParseUnary(withFilter: true), at.Line, at.Column);
        }
        return left;
    }

    Expr ParseUnary(bool withFilter)
    {
        var t = Peek;
        Expr node;
        if (t.IsOperator("-") || t.IsOperator("+"))
        {
            Next();
            Enter(t);
            try { node = new UnaryExpr(t.Text, ParseUnary(withFilter: false), t.Line, t.Column); }
            finally { _depth--; }
        }
        else node = ParsePrimary();
        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpr(node) : node;
    }

    Expr ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.Name:
                return t.Text switch
                {
                    "true" or "True" => new ConstExpr(true, t.Line, t.Column),
                    "false" or "False" => new ConstExpr(false, t.Line, t.Column),
                    "none" or "None" => new ConstExpr(null, t.Line, t.Column),
                    _ => new NameExpr(t.Text, t.Line, t.Column),
                };
            case TokenKind.String:
                string s = t.Text;
                while (Peek.Kind == TokenKind.String) s += Next().Text;
                return new ConstExpr(s, t.Line, t.Column);
            case TokenKind.Integer:
                if (!long.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long l)) throw Error($"integer literal too large: {t.Text}", t);
                return new ConstExpr(l, t.Line, t.Column);
            case TokenKind.Float:
                return new ConstExpr(double.Parse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture), t.Line, t.Column);
            case TokenKind.Operator when t.Text == "(":
                Enter(t);
                try
                {
                    if (Peek.IsOperator(")")) { Next(); return new ListExpr([], true, t.Line, t.Column); }
                    var inner = ParseTuple();
                    Expect(TokenKind.Operator, ")");
                    return inner;
                }
                finally { _depth--; }
            case TokenKind.Operator when t.Text == "[":
                Enter(t);
                try
                {
                    var items = new List<Expr>();
                    while (!Peek.IsOperator("]"))
                    {
                        if (items.Count > 0) Expect(TokenKind.Operator, ",");
                        if (Peek.IsOperator("]")) break;
                        items.Add(ParseExpression());
                    }
                    Next();
                    return new ListExpr([.. items], false, t.Line, t.Column);
                }
                finally { _depth--; }
            case TokenKind.Operator when t.Text == "{":
                Enter(t);
                try
                {
                    var pairs = new List<(Expr, Expr)>();
                    while (!Peek.IsOperator("}"))
                    {
                        if (pairs.Count > 0) Expect(TokenKind.Operator, ",");
                        if (Peek.IsOperator("}")) break;
                        var key = ParseExpression();
                        Expect(TokenKind.Operator, ":");
                        pairs.Add((key, ParseExpression()));
                    }
                    Next();
                    return new DictExpr([.. pairs], t.Line, t.Column);
                }
                finally { _depth--; }
            default:
                throw Error($"unexpected {Describe(t)}", t);
        }
    }

    Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            var t = Peek;
            if (t.IsOperator("."))
            {
                Next();
                var attr = Next();
                if (attr.Kind == TokenKind.Name) node = new AttrExpr(node, attr.Text, attr.Line, attr.Column);
                else if (attr.Kind == TokenKind.Integer) node = new ItemExpr(node, new ConstExpr(long.Parse(attr.Text, CultureInfo.InvariantCulture), attr.Line, attr.Column), attr.Line, attr.Column);
                else throw Error("expected name or number", attr);
            }
            else if (t.IsOperator("["))
            {
                Next();
                node = ParseSubscript(node, t);
            }
            else if (t.IsOperator("("))
            {
                Next();
                node = new CallExpr(node, ParseCallArgs(), t.Line, t.Column);
            }
            else return node;
        }
    }

    Expr ParseSubscript(Expr target, Token at)
    {
        Enter(at);
        try
        {
            Expr? start = null, stop = null, step = null;
            bool slice = false;
            if (!Peek.IsOperator(":")) start = ParseExpression();
            if (Peek.IsOperator(":"))
            {
                slice = true;
                Next();
                if (!Peek.IsOperator("]") && !Peek.IsOperator(":")) stop = ParseExpression();
                if (Peek.IsOperator(":"))
                {
                    Next();
                    if (!Peek.IsOperator("]")) step = ParseExpression();
                }
            }
            else if (Peek.IsOperator(","))
            {
                var items = new List<Expr> { start! };
                while (Peek.IsOperator(","))
                {
                    Next();
                    if (Peek.IsOperator("]")) break;
                    items.Add(ParseExpression());
                }
                start = new ListExpr([.. items], true, at.Line, at.Column);
            }
            Expect(TokenKind.Operator, "]");
            return slice ? new SliceExpr(target, start, stop, step, at.Line, at.Column) : new ItemExpr(target, start!, at.Line, at.Column);
        }
        finally { _depth--; }
    }

    Arguments ParseCallArgs()
    {
        var positional = new List<Expr>();
        var named = new List<(string, Expr)>();
        Expr? star = null, doubleStar = null;
        while (!Peek.IsOperator(")"))
        {
            if (positional.Count + named.Count + (star is null ? 0 : 1) + (doubleStar is null ? 0 : 1) > 0) Expect(TokenKind.Operator, ",");
            if (Peek.IsOperator(")")) break;
            if (Peek.IsOperator("*"))
            {
                Next();
                star = ParseExpression();
            }
            else if (Peek.IsOperator("**"))
            {
                Next();
                doubleStar = ParseExpression();
            }
            else if (Peek.Kind == TokenKind.Name && PeekAt(1).IsOperator("="))
            {
                string name = Next().Text;
                Next();
                named.Add((name, ParseExpression()));
            }
            else
            {
                if (named.Count > 0) throw Error("positional argument follows keyword argument", Peek);
                positional.Add(ParseExpression());
            }
        }
        Next();
        return new Arguments([.. positional], [.. named], star, doubleStar);
    }

    Expr ParseFilterExpr(Expr node)
    {
        while (true)
        {
            if (Peek.IsOperator("|"))
            {
                Next();
                node = ParseFilterCall(node);
            }
            else if (Peek.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Peek.IsOperator("("))
            {
                var at = Next();
                node = new CallExpr(node, ParseCallArgs(), at.Line, at.Column);
            }
            else return node;
        }
    }

    FilterExpr ParseFilterCall(Expr? value)
    {
        var name = Expect(TokenKind.Name);
        string full = name.Text;
        while (Peek.IsOperator("."))
        {
            Next();
            full += "." + Expect(TokenKind.Name).Text;
        }
        var args = Arguments.None;
        if (Peek.IsOperator("("))
        {
            Next();
            args = ParseCallArgs();
        }
        return new FilterExpr(value, full, args, name.Line, name.Column);
    }

    Expr ParseTest(Expr value)
    {
        var at = Next();
        bool negated = false;
        if (Peek.IsName("not"))
        {
            Next();
            negated = true;
        }
        var name = Expect(TokenKind.Name);
        string full = name.Text;
        while (Peek.IsOperator("."))
        {
            Next();
            full += "." + Expect(TokenKind.Name).Text;
        }
        var args = Arguments.None;
        var t = Peek;
        if (t.IsOperator("("))
        {
            Next();
            args = ParseCallArgs();
        }
        else if (t.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float || t.IsOperator("[") || t.IsOperator("{"))
        {
            if (!(t.Kind == TokenKind.Name && t.Text is "else" or "or" or "and" or "if" or "in" or "is" or "not" or "recursive"))
            {
                if (t.IsOperator("-")) { }
                var arg = ParsePostfix(ParsePrimary());
                args = new Arguments([arg], [], null, null);
            }
        }
        return new TestExpr(value, full, args, negated, at.Line, at.Column);
    }
}
