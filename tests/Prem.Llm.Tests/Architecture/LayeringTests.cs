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
}
