using Prem.Llm.Tests.Architecture;
using Xunit.Abstractions;

namespace Prem.Llm.Cuda.Tests.Architecture;

public class LayeringTests(ITestOutputHelper output)
{
    [Fact]
    public void NamespaceGraph_IsAcyclic()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Prem.Llm.Cuda.dll");
        var graph = NamespaceDependencyGraph.FromAssembly(path, "Prem.Llm.Cuda");
        output.WriteLine(graph.ToString());

        var cycle = graph.FindCycle();

        Assert.True(cycle is null, $"Namespace loop in Prem.Llm.Cuda: {string.Join(" -> ", cycle ?? [])}{Environment.NewLine}{graph}");
    }

    [Fact]
    public void NamespaceGraph_SeesTheCudaAreas()
    {
        var graph = NamespaceDependencyGraph.FromAssembly(Path.Combine(AppContext.BaseDirectory, "Prem.Llm.Cuda.dll"), "Prem.Llm.Cuda");

        Assert.Contains("Prem.Llm.Cuda.Runtime", graph.Edges["Prem.Llm.Cuda.Attention"]);
    }
}
