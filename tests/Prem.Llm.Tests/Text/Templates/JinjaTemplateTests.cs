using Prem.Llm.Text.Templates;

namespace Prem.Llm.Tests.Text.Templates;

public class JinjaTemplateTests
{
    [Theory]
    [MemberData(nameof(ChatTemplateGolden.RowIndices), MemberType = typeof(ChatTemplateGolden))]
    public void Render_MatchesJinja2OnEveryGoldenRow(int index)
    {
        var row = ChatTemplateGolden.Rows[index];
        var template = JinjaTemplate.Parse(ChatTemplateGolden.TemplateSource(row.Template));
        var vars = ChatTemplateGolden.Variables(row);
        if (row.Error is not null)
        {
            var e = Assert.Throws<TemplateException>(() => template.Render(vars, ChatTemplateGolden.PinnedNow));
            Assert.Equal(row.Error, e.Reason);
            return;
        }
        Assert.Equal(row.Text, template.Render(vars, ChatTemplateGolden.PinnedNow));
    }
}
