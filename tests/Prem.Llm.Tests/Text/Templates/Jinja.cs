using Prem.Llm.Text.Templates;

namespace Prem.Llm.Tests.Text.Templates;

/// <summary>Renders a template source with optional variables (the test helper for the engine's tests).</summary>
internal static class Jinja
{
    public static string Render(string source, Dictionary<string, object?>? vars = null) =>
        JinjaTemplate.Parse(source).Render(vars ?? [], new DateTime(2026, 1, 15, 9, 30, 0));

    public static TemplateException Fails(string source, Dictionary<string, object?>? vars = null, TemplateLimits? limits = null) =>
        Assert.Throws<TemplateException>(() => JinjaTemplate.Parse(source, limits).Render(vars ?? []));
}
