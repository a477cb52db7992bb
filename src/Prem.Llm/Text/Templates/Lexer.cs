using System.Globalization;
using System.Text;

namespace Prem.Llm.Text.Templates;

/// <summary>
/// Splits a template into data and tag tokens the way jinja2's lexer does under transformers' settings:
/// <c>trim_blocks</c> (one newline after a block or comment tag is dropped), <c>lstrip_blocks</c> (spaces
/// and tabs from the start of a line up to a block or comment tag are dropped), <c>-</c>/<c>+</c>
/// whitespace control, newlines normalised to "\n" and one trailing newline removed
/// (<c>keep_trailing_newline=False</c>). Written by hand: there is no Jinja package for .NET.
/// </summary>
internal sealed class Lexer
{
    static readonly string[] _operators = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", ";"];

    readonly string _src;
    readonly int[] _lineStarts;
    readonly List<Token> _tokens = [];
    int _pos;
    bool _lineStarting = true;

    Lexer(string source)
    {
        _src = Normalize(source);
        var starts = new List<int> { 0 };
        for (int i = 0; i < _src.Length; i++) if (_src[i] == '\n') starts.Add(i + 1);
        _lineStarts = [.. starts];
    }

    public static List<Token> Tokenize(string source)
    {
        var lexer = new Lexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    static string Normalize(string source)
    {
        string s = source.Contains('\r') ? source.Replace("\r\n", "\n").Replace('\r', '\n') : source;
        return s.EndsWith('\n') ? s[..^1] : s;
    }

    (int Line, int Column) Position(int offset)
    {
        int i = Array.BinarySearch(_lineStarts, offset);
        if (i < 0) i = ~i - 1;
        return (i + 1, offset - _lineStarts[i] + 1);
    }

    TemplateException Error(string message, int offset)
    {
        var (line, column) = Position(offset);
        return new TemplateException(message, line, column);
    }

    void Emit(TokenKind kind, string text, int offset)
    {
        var (line, column) = Position(offset);
        _tokens.Add(new Token(kind, text, line, column));
    }

    void Run()
    {
        while (_pos < _src.Length)
        {
            int start = FindTagStart(_pos);
            if (start < 0)
            {
                Emit(TokenKind.Data, _src[_pos..], _pos);
                break;
            }
            char kind = _src[start + 1];
            char modifier = start + 2 < _src.Length && _src[start + 2] is '-' or '+' ? _src[start + 2] : '\0';
            string text = _src[_pos..start];
            if (modifier == '-') text = PyText.Strip(text, null, left: false);
            else if (modifier != '+' && kind != '{')
            {
                // lstrip_blocks: only whitespace between the line start and a block/comment tag goes.
                int lineStart = text.LastIndexOf('\n') + 1;
                if ((lineStart > 0 || _lineStarting) && PyText.AllSpace(text, lineStart)) text = text[..lineStart];
            }
            if (text.Length > 0) Emit(TokenKind.Data, text, _pos);
            _pos = start + 2 + (modifier != '\0' ? 1 : 0);
            _lineStarting = false;
            if (kind == '#') LexComment(start);
            else if (kind == '%' && TryRaw(start)) { }
            else LexTag(kind == '%' ? TokenKind.BlockBegin : TokenKind.VariableBegin, start);
        }
        Emit(TokenKind.End, "", _src.Length);
    }

    int FindTagStart(int from)
    {
        for (int i = _src.IndexOf('{', from); i >= 0 && i + 1 < _src.Length; i = _src.IndexOf('{', i + 1))
            if (_src[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    void LexComment(int start)
    {
        int end = _src.IndexOf("#}", _pos, StringComparison.Ordinal);
        if (end < 0) throw Error("Missing end of comment tag", start);
        bool strip = end > _pos && _src[end - 1] == '-';
        _pos = end + 2;
        AfterTagEnd(strip, trim: true);
    }

    // After a closing tag: '-' strips all following whitespace, trim_blocks drops one newline.
    void AfterTagEnd(bool strip, bool trim)
    {
        int before = _pos;
        if (strip) while (_pos < _src.Length && PyText.IsSpace(_src[_pos])) _pos++;
        else if (trim && _pos < _src.Length && _src[_pos] == '\n') _pos++;
        _lineStarting = _pos > before && _src[_pos - 1] == '\n';
    }

    bool TryRaw(int start)
    {
        int p = SkipSpace(_pos);
        if (string.CompareOrdinal(_src, p, "raw", 0, 3) != 0) return false;
        p = SkipSpace(p + 3);
        bool strip = false;
        if (p < _src.Length && _src[p] is '-' or '+') { strip = _src[p] == '-'; p++; }
        if (string.CompareOrdinal(_src, p, "%}", 0, 2) != 0) return false;
        _pos = p + 2;
        AfterTagEnd(strip, trim: true);
        // The body runs to the first {% endraw %}, verbatim.
        for (int i = _src.IndexOf("{%", _pos, StringComparison.Ordinal); i >= 0; i = _src.IndexOf("{%", i + 2, StringComparison.Ordinal))
        {
            int q = i + 2;
            char mod = q < _src.Length && _src[q] is '-' or '+' ? _src[q] : '\0';
            if (mod != '\0') q++;
            q = SkipSpace(q);
            if (string.CompareOrdinal(_src, q, "endraw", 0, 6) != 0) continue;
            q = SkipSpace(q + 6);
            bool endStrip = false;
            if (q < _src.Length && _src[q] is '-' or '+') { endStrip = _src[q] == '-'; q++; }
            if (string.CompareOrdinal(_src, q, "%}", 0, 2) != 0) continue;
            string body = _src[_pos..i];
            if (mod == '-') body = PyText.Strip(body, null, left: false);
            if (body.Length > 0) Emit(TokenKind.Data, body, _pos);
            _pos = q + 2;
            AfterTagEnd(endStrip, trim: true);
            return true;
        }
        throw Error("Missing end of raw directive", start);
    }

    int SkipSpace(int p)
    {
        while (p < _src.Length && PyText.IsSpace(_src[p])) p++;
        return p;
    }

    void LexTag(TokenKind begin, int start)
    {
        Emit(begin, begin == TokenKind.BlockBegin ? "{%" : "{{", start);
        string close = begin == TokenKind.BlockBegin ? "%}" : "}}";
        var brackets = new Stack<char>();
        while (true)
        {
            _pos = SkipSpace(_pos);
            if (_pos >= _src.Length) throw Error(begin == TokenKind.BlockBegin ? "Unexpected end of template: missing '%}'" : "Unexpected end of template: missing '}}'", start);
            if (brackets.Count == 0)
            {
                bool minus = _src[_pos] == '-' && string.CompareOrdinal(_src, _pos + 1, close, 0, 2) == 0;
                bool plus = begin == TokenKind.BlockBegin && _src[_pos] == '+' && string.CompareOrdinal(_src, _pos + 1, close, 0, 2) == 0;
                if (minus || plus || string.CompareOrdinal(_src, _pos, close, 0, 2) == 0)
                {
                    Emit(begin == TokenKind.BlockBegin ? TokenKind.BlockEnd : TokenKind.VariableEnd, close, _pos);
                    _pos += minus || plus ? 3 : 2;
                    AfterTagEnd(minus, trim: begin == TokenKind.BlockBegin && !plus);
                    return;
                }
            }
            LexExpressionToken(brackets);
        }
    }

    void LexExpressionToken(Stack<char> brackets)
    {
        int start = _pos;
        char c = _src[_pos];
        if (char.IsAsciiLetter(c) || c == '_' || (c > 127 && char.IsLetter(c)))
        {
            while (_pos < _src.Length && (char.IsAsciiLetterOrDigit(_src[_pos]) || _src[_pos] == '_' || (_src[_pos] > 127 && char.IsLetterOrDigit(_src[_pos])))) _pos++;
            Emit(TokenKind.Name, _src[start.._pos], start);
            return;
        }
        if (char.IsAsciiDigit(c))
        {
            LexNumber(start);
            return;
        }
        if (c is '\'' or '"')
        {
            Emit(TokenKind.String, LexString(c, start), start);
            return;
        }
        foreach (string op in _operators)
        {
            if (string.CompareOrdinal(_src, _pos, op, 0, op.Length) != 0) continue;
            if (op is "(" or "[" or "{") brackets.Push(op[0]);
            else if (op is ")" or "]" or "}")
            {
                char open = op == ")" ? '(' : op == "]" ? '[' : '{';
                if (brackets.Count == 0) throw Error($"unexpected '{op}'", start);
                if (brackets.Pop() != open) throw Error($"unexpected '{op}'", start);
            }
            _pos += op.Length;
            Emit(TokenKind.Operator, op, start);
            return;
        }
        throw Error($"unexpected char '{c}' at {start}", start);
    }

    void LexNumber(int start)
    {
        // Integers (with '_' separators, 0b/0o/0x) and floats ("1.5", "1e3", "1.5e-3"), as jinja2's regexes.
        if (_src[_pos] == '0' && _pos + 1 < _src.Length && "bBoOxX".Contains(_src[_pos + 1]))
        {
            int radix = char.ToLowerInvariant(_src[_pos + 1]) switch { 'b' => 2, 'o' => 8, _ => 16 };
            _pos += 2;
            int digitsStart = _pos;
            while (_pos < _src.Length && (Uri.IsHexDigit(_src[_pos]) || _src[_pos] == '_')) _pos++;
            string digits = _src[digitsStart.._pos].Replace("_", "");
            try
            {
                Emit(TokenKind.Integer, Convert.ToInt64(digits, radix).ToString(CultureInfo.InvariantCulture), start);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                throw Error($"invalid integer literal '{_src[start.._pos]}'", start);
            }
            return;
        }
        Digits();
        bool isFloat = false;
        // Like jinja2's float pattern (?<!\.): after a dot ("items.0.1") numbers are integers.
        bool afterDot = start > 0 && _src[start - 1] == '.';
        if (!afterDot && _pos + 1 < _src.Length && _src[_pos] == '.' && char.IsAsciiDigit(_src[_pos + 1]))
        {
            _pos++;
            Digits();
            isFloat = true;
        }
        if (!afterDot && _pos < _src.Length && _src[_pos] is 'e' or 'E')
        {
            int save = _pos;
            _pos++;
            if (_pos < _src.Length && _src[_pos] is '+' or '-') _pos++;
            if (_pos < _src.Length && char.IsAsciiDigit(_src[_pos])) { Digits(); isFloat = true; }
            else _pos = save;
        }
        string text = _src[start.._pos].Replace("_", "");
        Emit(isFloat ? TokenKind.Float : TokenKind.Integer, text, start);
    }

    void Digits()
    {
        while (_pos < _src.Length && (char.IsAsciiDigit(_src[_pos]) || (_src[_pos] == '_' && _pos + 1 < _src.Length && char.IsAsciiDigit(_src[_pos + 1])))) _pos++;
    }

    // A string literal, decoded like Python's "unicode-escape" codec (what jinja2 applies).
    string LexString(char quote, int start)
    {
        var sb = new StringBuilder();
        _pos++;
        while (true)
        {
            if (_pos >= _src.Length) throw Error("unexpected end of string", start);
            char c = _src[_pos++];
            if (c == quote) return sb.ToString();
            if (c != '\\') { sb.Append(c); continue; }
            if (_pos >= _src.Length) throw Error("unexpected end of string", start);
            char e = _src[_pos++];
            switch (e)
            {
                case '\n': break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case 'x': sb.Append((char)HexEscape(2, start)); break;
                case 'u': sb.Append((char)HexEscape(4, start)); break;
                case 'U':
                    int cp = HexEscape(8, start);
                    if (cp > 0x10FFFF) throw Error("invalid \\U escape in string", start);
                    sb.Append(char.ConvertFromUtf32(cp));
                    break;
                case >= '0' and <= '7':
                    int value = e - '0';
                    for (int k = 0; k < 2 && _pos < _src.Length && _src[_pos] is >= '0' and <= '7'; k++) value = value * 8 + (_src[_pos++] - '0');
                    sb.Append((char)value);
                    break;
                default: sb.Append('\\').Append(e); break;
            }
        }
    }

    int HexEscape(int digits, int start)
    {
        if (_pos + digits > _src.Length) throw Error("truncated escape in string", start);
        string hex = _src.Substring(_pos, digits);
        if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value)) throw Error("truncated escape in string", start);
        _pos += digits;
        return value;
    }
}
