using ZstdSharp;

namespace Prem.Llm.Benchmarks.Text;

/// <summary>The real tokenizer.json folders the tests carry (zstd-compressed), unpacked to a temp folder.</summary>
static class HfTokenizerFolder
{
    /// <summary>Unpacks tests/Prem.Llm.Tests/Data/hf/tokenizers/<paramref name="name"/> and returns the folder.</summary>
    public static string Extract(string name)
    {
        string folder = Path.Combine(Path.GetTempPath(), "prem-bench-hf-" + name);
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(Path.Combine(DataRoot, "tokenizers", name)))
        {
            string fileName = Path.GetFileName(file);
            if (fileName.EndsWith(".zst", StringComparison.Ordinal))
            {
                using var input = new DecompressionStream(File.OpenRead(file));
                using var output = File.Create(Path.Combine(folder, fileName[..^4]));
                input.CopyTo(output);
            }
            else File.Copy(file, Path.Combine(folder, fileName), overwrite: true);
        }
        return folder;
    }

    /// <summary>tests/Prem.Llm.Tests/Data/hf.</summary>
    public static string DataRoot => Path.Combine(Path.GetDirectoryName(EnglishSample.DataPath("llama2_golden.jsonl"))!, "..", "hf");
}
