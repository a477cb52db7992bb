using System.Security.Cryptography;
using System.Text;
using Prem.Llm.Data;
using Prem.Llm.Data.Prepare;

namespace Prem.Llm.Tests.Data.Prepare;

public class TokenizerFingerprintTests
{
    [Fact]
    public void File_hash_is_its_sha256()
    {
        using var tmp = new TempFolder();
        var bytes = Encoding.UTF8.GetBytes("vocab data");
        File.WriteAllBytes(tmp.Sub("tokenizer.model"), bytes);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), TokenizerFingerprint.Of(tmp.Sub("tokenizer.model")));
    }

    [Fact]
    public void Folder_hash_covers_names_and_contents_in_ordinal_order()
    {
        using var tmp = new TempFolder();
        Directory.CreateDirectory(tmp.Sub("t"));
        File.WriteAllText(tmp.Sub("t/b.json"), "B");
        File.WriteAllText(tmp.Sub("t/a.model"), "A");
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes("a.model\0Ab.json\0B"));
        Assert.Equal("sha256:" + Convert.ToHexStringLower(expected), TokenizerFingerprint.Of(tmp.Sub("t")));
        File.WriteAllText(tmp.Sub("t/b.json"), "C");
        Assert.NotEqual("sha256:" + Convert.ToHexStringLower(expected), TokenizerFingerprint.Of(tmp.Sub("t")));
        Assert.Throws<DataFormatException>(() => TokenizerFingerprint.Of(tmp.Sub("missing")));
    }
}
