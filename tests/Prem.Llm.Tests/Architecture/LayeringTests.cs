using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Xunit.Abstractions;

namespace Prem.Llm.Tests.Architecture;

public class LayeringTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Prem.Llm")]
    [InlineData("Prem.Llm.Recipes")]
    [InlineData("Prem.Llm.Reporting")]
    public void NamespaceGraph_IsAcyclic(string assemblyName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        var graph = NamespaceDependencyGraph.FromAssembly(path, assemblyName);
        output.WriteLine(graph.ToString());

        var cycle = graph.FindCycle();

        Assert.True(cycle is null, $"Namespace loop in {assemblyName}: {string.Join(" -> ", cycle ?? [])}{Environment.NewLine}{graph}");
    }

    [Fact]
    public void Reporting_DeclaresItsTypesInItsOwnNamespace()
    {
        var types = typeof(Prem.Llm.Reporting.TrainingProgress).Assembly.GetExportedTypes();

        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.Equal("Prem.Llm.Reporting", t.Namespace));
    }

    [Fact]
    public void Core_WritesNoAnsiEscapes()
    {
        // Terminal colours belong to Prem.Llm.Reporting and the CLI: no string literal of the core
        // library carries an escape character.
        Assert.Empty(LiteralsWithEscape("Prem.Llm.dll"));
    }

    [Fact]
    public void LiteralsWithEscape_FindsTheClisColours()
    {
        Assert.NotEmpty(LiteralsWithEscape("prem.dll"));
    }

    static List<string> LiteralsWithEscape(string file)
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, file));
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var found = new List<string>();
        for (var handle = MetadataTokens.UserStringHandle(1); !handle.IsNil; handle = reader.GetNextHandle(handle))
        {
            var text = reader.GetUserString(handle);
            if (text.Contains('\u001b')) found.Add(text);
        }
        return found;
    }
}
