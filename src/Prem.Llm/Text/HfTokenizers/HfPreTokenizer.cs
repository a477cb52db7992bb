using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Prem.Llm.Text;

/// <summary>Receives the pieces a pre-tokenizer cuts; <c>atStart</c> is true for a piece at offset 0 of the input.</summary>
internal interface IHfPieceSink
{
    /// <summary>One piece, in order.</summary>
    void Piece(ReadOnlySpan<char> piece, bool atStart);
}

/// <summary>
/// A <c>pre_tokenizer</c> of tokenizer.json: cuts normalized text into words the model encodes one by one.
/// Steps follow tokenizers' <c>pre_tokenizers/</c> module: Split (string or regex, every behavior, invert),
/// ByteLevel (GPT-2 regex optional, <c>add_prefix_space</c> on every piece that lacks one), Metaspace
/// (spaces → replacement, <c>prepend_scheme</c> always/first/never, optional split before each replacement),
/// Digits, Punctuation, Whitespace (<c>\w+|[^\w\s]+</c>), WhitespaceSplit and Sequence. A Sequence runs its
/// steps depth first, which gives the same pieces as tokenizers' step-by-step run because each step looks
/// at one piece at a time.
/// </summary>
internal abstract class HfPreTokenizer
{
    /// <summary>GPT-2's pattern, used by ByteLevel with <c>use_regex</c>.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    static readonly Lazy<Regex> _gpt2 = new(() => new Regex(Gpt2Pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, HfRegex.DefaultTimeout));
    static readonly Lazy<Regex> _whitespace = new(() => new Regex(HfRegex.Translate(@"\w+|[^\w\s]+"), RegexOptions.CultureInvariant | RegexOptions.Compiled, HfRegex.DefaultTimeout));

    /// <summary>Cuts <paramref name="text"/> and passes each piece to <paramref name="sink"/>.</summary>
    public abstract void PreTokenize(ReadOnlySpan<char> text, bool atStart, IHfPieceSink sink);

    /// <summary>
    /// When the last step to run is a ByteLevel step, it stops mapping bytes to the byte-level alphabet and
    /// this returns true: the model then maps each word itself, so words are cached by their plain text.
    /// </summary>
    public virtual bool DeferByteMapping() => false;

    /// <summary>Reads a pre-tokenizer object; null for JSON null.</summary>
    public static HfPreTokenizer? Parse(JsonElement e, HfJsonReader json, string field)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        json.Object(e, field);
        string type = json.Type(e, field);
        switch (type)
        {
            case "Sequence":
            {
                json.OnlyKnown(e, field, "type", "pretokenizers");
                var steps = new List<HfPreTokenizer>();
                int i = 0;
                foreach (var s in json.Array(json.Property(e, "pretokenizers", field), field + ".pretokenizers").EnumerateArray())
                {
                    var step = Parse(s, json, $"{field}.pretokenizers[{i++}]");
                    if (step is not null) steps.Add(step);
                }
                return steps.Count == 1 ? steps[0] : new Sequence([.. steps]);
            }
            case "Split":
            {
                json.OnlyKnown(e, field, "type", "pattern", "behavior", "invert");
                var (literal, regex) = HfNormalizer.ParsePattern(json.Property(e, "pattern", field), json, field + ".pattern");
                var behavior = HfSplitter.ParseBehavior(json.String(e, "behavior", field), json, field + ".behavior");
                bool invert = json.Bool(e, "invert", field, false);
                return new Split(regex is not null ? HfSplitter.ForRegex(regex, behavior, invert) : HfSplitter.ForString(literal!, behavior, invert));
            }
            case "ByteLevel":
                json.OnlyKnown(e, field, "type", "add_prefix_space", "trim_offsets", "use_regex");
                return new ByteLevel(json.Bool(e, "add_prefix_space", field, true), json.Bool(e, "use_regex", field, true));
            case "Metaspace":
            {
                json.OnlyKnown(e, field, "type", "replacement", "prepend_scheme", "split", "add_prefix_space", "str_rep");
                char replacement = json.Char(e, "replacement", field, '\u2581');
                string? scheme = json.OptionalString(e, "prepend_scheme", field);
                var prepend = scheme switch
                {
                    null => json.Bool(e, "add_prefix_space", field, true) ? PrependScheme.Always : PrependScheme.Never,
                    "always" => PrependScheme.Always,
                    "first" => PrependScheme.First,
                    "never" => PrependScheme.Never,
                    _ => throw json.Error(field + ".prepend_scheme", $"unknown prepend_scheme '{scheme}'."),
                };
                return new Metaspace(replacement, prepend, json.Bool(e, "split", field, true));
            }
            case "Digits":
                json.OnlyKnown(e, field, "type", "individual_digits");
                return new Split(HfSplitter.ForChars(IsNumeric, json.Bool(e, "individual_digits", field, false) ? SplitBehavior.Isolated : SplitBehavior.Contiguous));
            case "Punctuation":
            {
                json.OnlyKnown(e, field, "type", "behavior");
                string? b = json.OptionalString(e, "behavior", field);
                return new Split(HfSplitter.ForChars(IsPunctuation, b is null ? SplitBehavior.Isolated : HfSplitter.ParseBehavior(b, json, field + ".behavior")));
            }
            case "Whitespace":
                json.OnlyKnown(e, field, "type");
                return new Split(HfSplitter.ForRegex(_whitespace.Value, SplitBehavior.Removed, invert: true));
            case "WhitespaceSplit":
                json.OnlyKnown(e, field, "type");
                return new Split(HfSplitter.ForChars(Rune.IsWhiteSpace, SplitBehavior.Removed));
            default:
                throw json.Error(field + ".type", $"pre-tokenizer type '{type}' is not supported (supported: Sequence, Split, ByteLevel, Metaspace, Digits, Punctuation, Whitespace, WhitespaceSplit).");
        }
    }

    // Rust's char::is_numeric: categories Nd, Nl, No.
    static bool IsNumeric(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    // tokenizers' is_punc: ASCII punctuation (symbols such as $ + < included) or a Unicode P* category.
    static bool IsPunctuation(Rune r) =>
        (r.IsAscii && char.IsAsciiLetterOrDigit((char)r.Value) == false && r.Value is > 0x20 and < 0x7F)
        || Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    enum PrependScheme { Always, First, Never }

    sealed class Chain(HfPreTokenizer step, IHfPieceSink next) : IHfPieceSink
    {
        public void Piece(ReadOnlySpan<char> piece, bool atStart) => step.PreTokenize(piece, atStart, next);
    }

    sealed class Sequence(HfPreTokenizer[] steps) : HfPreTokenizer
    {
        public override void PreTokenize(ReadOnlySpan<char> text, bool atStart, IHfPieceSink sink)
        {
            if (steps.Length == 0) { sink.Piece(text, atStart); return; }
            IHfPieceSink next = sink;
            for (int k = steps.Length - 1; k >= 1; k--) next = new Chain(steps[k], next);
            steps[0].PreTokenize(text, atStart, next);
        }

        public override bool DeferByteMapping() => steps.Length > 0 && steps[^1].DeferByteMapping();
    }

    sealed class Split(HfSplitter splitter) : HfPreTokenizer
    {
        public override void PreTokenize(ReadOnlySpan<char> text, bool atStart, IHfPieceSink sink)
        {
            var pieces = new List<(int Start, int Length)>();
            splitter.Split(text, pieces);
            foreach (var (start, length) in pieces) sink.Piece(text.Slice(start, length), atStart && start == 0);
        }
    }

    sealed class ByteLevel(bool addPrefixSpace, bool useRegex) : HfPreTokenizer
    {
        bool _mapBytes = true;

        public override bool DeferByteMapping()
        {
            _mapBytes = false;
            return true;
        }

        public override void PreTokenize(ReadOnlySpan<char> text, bool atStart, IHfPieceSink sink)
        {
            if (text.IsEmpty) return;
            if (addPrefixSpace && text[0] != ' ') text = (" " + text.ToString()).AsSpan();
            if (!useRegex) { Emit(text, atStart, sink); return; }
            int prev = 0;
            var found = new List<(int Index, int Length)>();
            HfRegex.Matches(_gpt2.Value, text, found);
            foreach (var (index, length) in found)
            {
                if (index > prev) Emit(text[prev..index], atStart && prev == 0, sink);
                if (length > 0) Emit(text.Slice(index, length), atStart && index == 0, sink);
                prev = index + length;
            }
            if (prev < text.Length) Emit(text[prev..], atStart && prev == 0, sink);
        }

        void Emit(ReadOnlySpan<char> piece, bool atStart, IHfPieceSink sink)
        {
            if (piece.IsEmpty) return;
            if (_mapBytes) sink.Piece(ByteLevelAlphabet.Encode(piece), atStart);
            else sink.Piece(piece, atStart);
        }
    }

    sealed class Metaspace(char replacement, PrependScheme prepend, bool split) : HfPreTokenizer
    {
        public override void PreTokenize(ReadOnlySpan<char> text, bool atStart, IHfPieceSink sink)
        {
            string s = text.ToString().Replace(' ', replacement);
            if ((prepend == PrependScheme.Always || (prepend == PrependScheme.First && atStart)) && !s.StartsWith(replacement)) s = replacement + s;
            if (!split) { if (s.Length > 0) sink.Piece(s, atStart); return; }
            int start = 0;
            for (int i = 1; i <= s.Length; i++)
            {
                if (i < s.Length && s[i] != replacement) continue;
                sink.Piece(s.AsSpan(start, i - start), atStart && start == 0);
                start = i;
            }
        }
    }
}
