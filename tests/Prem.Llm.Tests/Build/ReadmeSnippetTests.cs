using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Prem.Llm.Modeling;
using Prem.Llm.Tests.Distributed;

namespace Prem.Llm.Tests.Build;

// Every ```csharp block in README.md is a complete Program.cs for a `dotnet new console` project
// (implicit usings, nullable on) that references Prem.Llm: compiled here with Roslyn against the built
// assemblies, with no errors and no warnings, so the README cannot drift from the API.
public class ReadmeSnippetTests
{
    // The global usings `dotnet new console` (ImplicitUsings=enable) gives a project.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static TheoryData<int> Snippets()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < ReadSnippets().Count; i++) data.Add(i);
        return data;
    }

    private static List<(int Line, string Code)> ReadSnippets()
    {
        var lines = File.ReadAllLines(Path.Combine(MpiJob.RepoRoot, "README.md"));
        var snippets = new List<(int, string)>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp") continue;
            int start = i + 1;
            while (++i < lines.Length && lines[i].Trim() != "```") { }
            snippets.Add((start + 1, string.Join("\n", lines[start..i])));
        }
        return snippets;
    }

    [Fact]
    public void TheReadmeHasItsSnippets() => Assert.True(ReadSnippets().Count >= 2, "README.md lost its ```csharp blocks");

    [Theory]
    [MemberData(nameof(Snippets))]
    public void SnippetCompilesAsACompleteProgram(int index)
    {
        var (line, code) = ReadSnippets()[index];
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create($"ReadmeSnippet{index}",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "GlobalUsings.cs"), CSharpSyntaxTree.ParseText(code, parse, "Program.cs")],
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
                // As the .NET SDK does (NoWarn CS1701;CS1702): reference-version unification notes.
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => $"README.md:{line + d.Location.GetLineSpan().StartLinePosition.Line}: {d.Id}: {d.GetMessage()}").ToList();
        Assert.True(result.Success && problems.Count == 0, $"README.md's snippet at line {line} does not compile as pasted:\n" + string.Join("\n", problems));
    }

    // What a consumer of the Prem.Llm and Prem.Llm.AI packages compiles against: the framework and those with their
    // dependencies (TorchSharp, Microsoft.ML.Tokenizers, Microsoft.Extensions.AI, ...), nothing of the test host.
    private static List<MetadataReference> References()
    {
        var paths = new HashSet<string>(((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator));
        // Microsoft.Extensions.DependencyInjection too: an app that registers the chat client has its container.
        var pending = new Queue<Assembly>([typeof(LlamaForCausalLM).Assembly, typeof(Prem.Llm.AI.PremChatClient).Assembly,
            typeof(Microsoft.Extensions.DependencyInjection.ServiceCollection).Assembly]);
        var seen = new HashSet<string>();
        while (pending.TryDequeue(out var assembly))
        {
            if (!seen.Add(assembly.GetName().Name!)) continue;
            if (!string.IsNullOrEmpty(assembly.Location)) paths.Add(assembly.Location);
            foreach (var name in assembly.GetReferencedAssemblies())
                if (!seen.Contains(name.Name!))
                {
                    try { pending.Enqueue(Assembly.Load(name)); }
                    catch (FileNotFoundException) { }
                }
        }
        return paths.Where(File.Exists).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    }
}
