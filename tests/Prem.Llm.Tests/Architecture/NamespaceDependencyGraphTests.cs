namespace Prem.Llm.Tests.Architecture;

public class NamespaceDependencyGraphTests
{
    [Fact]
    public void FindCycle_OnAnAcyclicGraph_ReturnsNull()
    {
        var graph = new NamespaceDependencyGraph();
        graph.AddEdge("A", "B");
        graph.AddEdge("B", "C");
        graph.AddEdge("A", "C");
        graph.AddEdge("D", "A");

        Assert.Null(graph.FindCycle());
    }

    [Fact]
    public void FindCycle_FindsALongCycle_AsAClosedPath()
    {
        var graph = new NamespaceDependencyGraph();
        graph.AddEdge("A", "B");
        graph.AddEdge("B", "C");
        graph.AddEdge("C", "D");
        graph.AddEdge("D", "B");

        Assert.Equal(["B", "C", "D", "B"], graph.FindCycle());
    }

    [Fact]
    public void FindCycle_FindsATwoNodeLoop()
    {
        var graph = new NamespaceDependencyGraph();
        graph.AddEdge("Checkpoints", "Modeling");
        graph.AddEdge("Modeling", "Checkpoints");

        Assert.Equal(["Checkpoints", "Modeling", "Checkpoints"], graph.FindCycle());
    }

    [Fact]
    public void AddEdge_IgnoresSelfEdges()
    {
        var graph = new NamespaceDependencyGraph();
        graph.AddEdge("A", "A");

        Assert.Empty(graph.Edges["A"]);
        Assert.Null(graph.FindCycle());
    }

    [Fact]
    public void FromAssembly_SeesCallsInMethodBodies()
    {
        // The evaluation tasks use Text's PythonStrip only inside method bodies: no signature, field
        // or base type names a Text type, so only the IL scan finds the edge.
        var graph = NamespaceDependencyGraph.FromAssembly(typeof(Prem.Llm.Text.PythonStrip).Assembly.Location, "Prem.Llm");

        Assert.Contains("Prem.Llm.Text", graph.Edges["Prem.Llm.Evaluation.Tasks"]);
        Assert.DoesNotContain(graph.Edges.Keys, ns => !ns.StartsWith("Prem.Llm", StringComparison.Ordinal));
    }

    [Fact]
    public void FromAssembly_KeepsOnlyTheRootsNamespaces()
    {
        var graph = NamespaceDependencyGraph.FromAssembly(typeof(NamespaceDependencyGraphTests).Assembly.Location, "Prem.Llm.Tests");

        Assert.Contains("Prem.Llm.Tests.Architecture", graph.Edges.Keys);
        Assert.All(graph.Edges.Keys, ns => Assert.StartsWith("Prem.Llm.Tests", ns));
    }
}
