using Xunit.Abstractions;

namespace Prem.Llm.Tests.Build;

// The suite's one rule for missing tools: skipped with the reason and the install script, failed under CI.
public class ToolRequirementTests
{
    [Fact]
    public void APresentToolLetsTheTestRun() =>
        ToolRequirement.Require(null, "build/install-x.sh", ci: true, report: null);

    [Fact]
    public void AMissingToolSkipsWithTheReasonAndTheInstallScript()
    {
        var e = Assert.Throws<SkipException>(() => ToolRequirement.Require("NVRTC (libnvrtc.so) not found", "build/install-nvrtc.sh", ci: false, report: null));
        Assert.Equal("NVRTC (libnvrtc.so) not found; run build/install-nvrtc.sh", e.Message);
    }

    [Fact]
    public void UnderCiAMissingToolIsAFailureNotASkip()
    {
        var e = Assert.Throws<ToolMissingException>(() => ToolRequirement.Require("Open MPI (mpirun) not found on the PATH", "build/install-mpi.sh", ci: true, report: null));
        Assert.IsNotType<SkipException>(e);
        Assert.StartsWith("Open MPI (mpirun) not found on the PATH; run build/install-mpi.sh", e.Message);
        Assert.Contains("CI=true", e.Message);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void CiIsRecognisedFromTheEnvironmentValue(string? value, bool expected) =>
        Assert.Equal(expected, ToolRequirement.IsCiValue(value));

    [Fact]
    public void TheDefaultFollowsTheCiVariable()
    {
        var expected = ToolRequirement.IsCiValue(Environment.GetEnvironmentVariable("CI"));
        Assert.Equal(expected, ToolRequirement.IsCi);
        var thrown = Record.Exception(() => ToolRequirement.Require("x not found", "build/install-x.sh", ToolRequirement.IsCi, report: null));
        Assert.IsType(expected ? typeof(ToolMissingException) : typeof(SkipException), thrown);
    }

    [Fact]
    public void EachSkipReasonIsReportedOnceForTheRun()
    {
        var sink = new Recorder();
        for (int i = 0; i < 3; i++)
        {
            Assert.Throws<SkipException>(() => ToolRequirement.Require("MPICH not found", "build/install-mpi.sh", ci: false, sink));
            Assert.Throws<SkipException>(() => ToolRequirement.Require("NVRTC not found", "build/install-nvrtc.sh", ci: false, sink));
        }
        Assert.Equal(["SKIPPED (tool missing): MPICH not found; run build/install-mpi.sh", "SKIPPED (tool missing): NVRTC not found; run build/install-nvrtc.sh"], sink.Messages);
        Assert.Throws<ToolMissingException>(() => ToolRequirement.Require("other not found", "build/install-x.sh", ci: true, sink));
        Assert.Equal(2, sink.Messages.Count);
    }

    private sealed class Recorder : LongLivedMarshalByRefObject, IMessageSink
    {
        public List<string> Messages { get; } = [];

        public bool OnMessage(IMessageSinkMessage message)
        {
            if (message is IDiagnosticMessage d) Messages.Add(d.Message);
            return true;
        }
    }

    // A skipped test is neither passed nor failed: every test that calls a ToolRequirement method must be
    // [SkippableFact]/[SkippableTheory] (a plain [Fact] would report the skip as a failure).
    [Fact]
    public void EveryTestThatNeedsAToolIsSkippable()
    {
        var root = Distributed.MpiJob.RepoRoot;
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains("/obj/") || file.Contains("/bin/") || file.EndsWith("ToolRequirementTests.cs", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            string? attribute = null;
            for (int i = 0; i < lines.Length; i++)
            {
                var t = lines[i].Trim();
                if (t.StartsWith("[Fact", StringComparison.Ordinal) || t.StartsWith("[Theory", StringComparison.Ordinal)
                    || t.StartsWith("[SkippableFact", StringComparison.Ordinal) || t.StartsWith("[SkippableTheory", StringComparison.Ordinal))
                    attribute = t;
                if ((t.Contains("ToolRequirement.", StringComparison.Ordinal) || t.Contains("MpiJob.OpenMpi(", StringComparison.Ordinal)
                        || t.Contains("MpiJob.Mpich(", StringComparison.Ordinal) || t.StartsWith("Skip.", StringComparison.Ordinal))
                    && attribute is not null && !attribute.StartsWith("[Skippable", StringComparison.Ordinal))
                    offenders.Add($"{Path.GetRelativePath(root, file)}:{i + 1}");
            }
        }
        Assert.True(offenders.Count == 0, "a test that can skip must be [SkippableFact]/[SkippableTheory]:\n" + string.Join("\n", offenders));
    }
}
