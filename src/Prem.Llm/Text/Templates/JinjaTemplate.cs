namespace Prem.Llm.Text.Templates;

/// <summary>
/// A Jinja template rendered exactly as transformers' <c>apply_chat_template</c> renders chat templates:
/// jinja2's <c>ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)</c> with the
/// <c>loopcontrols</c> extension, transformers' <c>{% generation %}</c> block, <c>tojson</c>,
/// <c>raise_exception</c> and <c>strftime_now</c>, and jinja2's default undefined values.
/// <para>
/// Hand-written, because there is no Jinja engine for .NET. Sandboxed: templates reach only template
/// values (never .NET members), cannot change their inputs, and stop with a <see cref="TemplateException"/>
/// at the limits of <see cref="TemplateLimits"/>.
/// </para>
/// </summary>
public sealed class JinjaTemplate
{
    readonly Stmt[] _body;

    JinjaTemplate(string source, Stmt[] body, TemplateLimits limits)
    {
        Source = source;
        _body = body;
        Limits = limits;
        HasGenerationBlocks = ContainsGeneration(body);
    }

    /// <summary>The template source.</summary>
    public string Source { get; }

    /// <summary>The limits every render runs under.</summary>
    public TemplateLimits Limits { get; }

    /// <summary>True when the template marks assistant text with <c>{% generation %}</c> blocks.</summary>
    public bool HasGenerationBlocks { get; }

    /// <summary>Parses <paramref name="source"/>; a syntax error throws <see cref="TemplateException"/> with its line and column.</summary>
    public static JinjaTemplate Parse(string source, TemplateLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new JinjaTemplate(source, Parser.Parse(source), limits ?? new TemplateLimits());
    }

    /// <summary>
    /// Renders with <paramref name="variables"/> (strings, numbers, booleans, null, lists, string-keyed
    /// dictionaries or <see cref="System.Text.Json.JsonElement"/>s). <paramref name="now"/> is what
    /// <c>strftime_now</c> formats (default: the local time, as transformers does).
    /// </summary>
    public string Render(IReadOnlyDictionary<string, object?> variables, DateTime? now = null) => RenderTracked(variables, now).Text;

    internal (string Text, List<(int Start, int End)> Generation) RenderTracked(IReadOnlyDictionary<string, object?> variables, DateTime? now = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var root = new Scope(null);
        TemplateGlobals.AddTo(root, () => now ?? DateTime.Now);
        foreach (var (name, value) in variables) root.Set(name, value is InternalValue v ? v.Value : TemplateValues.From(value));
        var scope = new Scope(root);
        var interpreter = new Interpreter(Limits);
        try
        {
            string text = interpreter.Render(_body, scope);
            return (text, interpreter.GenerationSpans);
        }
        catch (PyError e)
        {
            throw new TemplateException(e.Message, 0, 0, e.RaisedByTemplate, e);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new TemplateException("template too deeply nested to render", 0, 0, inner: e);
        }
    }

    static bool ContainsGeneration(IEnumerable<Stmt> body) => body.Any(s => s switch
    {
        GenerationStmt => true,
        IfStmt i => i.Branches.Any(b => ContainsGeneration(b.Body)) || (i.Else is not null && ContainsGeneration(i.Else)),
        ForStmt f => ContainsGeneration(f.Body) || (f.Else is not null && ContainsGeneration(f.Else)),
        SetBlockStmt b => ContainsGeneration(b.Body),
        MacroStmt m => ContainsGeneration(m.Body),
        CallBlockStmt c => ContainsGeneration(c.Body),
        FilterBlockStmt f => ContainsGeneration(f.Body),
        WithStmt w => ContainsGeneration(w.Body),
        _ => false,
    });
}

/// <summary>A value already in the template's own representation (converted once, reused across renders).</summary>
internal sealed record InternalValue(object? Value);
