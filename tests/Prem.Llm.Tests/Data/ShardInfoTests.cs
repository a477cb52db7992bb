using System.Text.Json;
using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class ShardInfoTests
{
    [Fact]
    public void Json_uses_the_manifest_keys_and_round_trips()
    {
        var s = new ShardInfo
        {
            Split = "val", Chunk = 3, File = "val-000003.bin", IndexFile = "val-000003.idx", Documents = 2, Tokens = 10,
            Bytes = 20, Sha256 = "aa", IndexBytes = 40, IndexSha256 = "bb",
        };
        var json = JsonSerializer.Serialize(s);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(["split", "chunk", "file", "index_file", "documents", "tokens", "bytes", "sha256", "index_bytes", "index_sha256"],
            doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(s, JsonSerializer.Deserialize<ShardInfo>(json));
    }
}
