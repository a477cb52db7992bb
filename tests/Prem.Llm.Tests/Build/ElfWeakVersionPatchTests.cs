using System.Diagnostics;
using System.Reflection;
using Prem.Llm.Build;
using TorchSharp;

namespace Prem.Llm.Tests.Build;

public class ElfWeakVersionPatchTests
{
    // The unpatched library as NuGet ships it, in the package cache the build restored from.
    static string PristineLibrary()
    {
        string root = typeof(ElfWeakVersionPatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        string version = typeof(torch).Assembly.GetName().Version!.ToString(3);
        string path = Path.Combine(root, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"expected TorchSharp's native library at {path}");
        return path;
    }

    static string ReadElfVersions(string path)
    {
        var info = new ProcessStartInfo("readelf", ["-V", "--wide", path]) { RedirectStandardOutput = true };
        using var process = Process.Start(info)!;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return text;
    }

    [Fact]
    public void Marks_glibcxx_3_4_32_weak_and_only_that()
    {
        byte[] image = File.ReadAllBytes(PristineLibrary());
        byte[] original = (byte[])image.Clone();
        Assert.Equal(ElfWeakVersionPatch.Result.Patched, ElfWeakVersionPatch.Apply(image, "GLIBCXX_3.4.32"));
        Assert.Equal(ElfWeakVersionPatch.Result.AlreadyWeak, ElfWeakVersionPatch.Apply(image, "GLIBCXX_3.4.32"));
        var changed = Enumerable.Range(0, image.Length).Where(i => image[i] != original[i]).ToList();
        Assert.Single(changed);

        // binutils, an independent ELF reader, sees the flag.
        string patched = Path.Combine(TestData.TempDirectory(), "lib.so");
        File.WriteAllBytes(patched, image);
        var line = ReadElfVersions(patched).Split('\n').Single(l => l.Contains("Name: GLIBCXX_3.4.32"));
        Assert.Contains("Flags: WEAK", line);
        Assert.DoesNotContain("Flags: WEAK", ReadElfVersions(PristineLibrary()).Split('\n').Single(l => l.Contains("Name: GLIBCXX_3.4.32")));
    }

    [Fact]
    public void Other_files_are_left_alone()
    {
        byte[] notElf = "not an ELF file at all, just text padding it out past sixty-four bytes."u8.ToArray();
        Assert.Equal(ElfWeakVersionPatch.Result.NotElf64, ElfWeakVersionPatch.Apply(notElf, "GLIBCXX_3.4.32"));
        byte[] ls = File.ReadAllBytes("/bin/ls");
        Assert.Equal(ElfWeakVersionPatch.Result.VersionNotNeeded, ElfWeakVersionPatch.Apply(ls, "GLIBCXX_3.4.32"));
        Assert.Equal(ElfWeakVersionPatch.Result.NotElf64, ElfWeakVersionPatch.Apply(new byte[10], "X"));
    }

    [Fact]
    public void System_check_finds_versions_the_local_libstdcxx_defines()
    {
        Assert.True(ElfWeakVersionPatch.SystemLibStdCxxHas("GLIBCXX_3.4.30", ElfWeakVersionPatch.DefaultLibStdCxxPaths));
        Assert.False(ElfWeakVersionPatch.SystemLibStdCxxHas("GLIBCXX_9.9.99", ElfWeakVersionPatch.DefaultLibStdCxxPaths));
        Assert.False(ElfWeakVersionPatch.SystemLibStdCxxHas("GLIBCXX_3.4.30", ["/nonexistent/libstdc++.so.6"]));
    }
}
