using System.Security.Cryptography;
using System.Text;

namespace Prem.Llm.Data.Prepare;

/// <summary>A stable identity for tokenizer files, recorded in a prepared corpus's manifest.</summary>
public static class TokenizerFingerprint
{
    /// <summary>
    /// "sha256:" + the SHA-256 of a tokenizer file, or of a folder: each file's relative path ("/"
    /// separators), a zero byte and its content, in ordinal path order.
    /// </summary>
    public static string Of(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (File.Exists(path))
        {
            hash.AppendData(File.ReadAllBytes(path));
        }
        else if (Directory.Exists(path))
        {
            var root = Path.GetFullPath(path);
            foreach (var rel in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                         .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
                         .OrderBy(f => f, StringComparer.Ordinal))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(rel));
                hash.AppendData([0]);
                hash.AppendData(File.ReadAllBytes(Path.Combine(root, rel)));
            }
        }
        else
        {
            throw new DataFormatException("tokenizer file or folder not found", path);
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
