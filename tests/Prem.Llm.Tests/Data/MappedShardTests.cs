using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class MappedShardTests
{
    [Theory]
    [InlineData(TokenDType.UInt16)]
    [InlineData(TokenDType.UInt32)]
    public void Copies_any_range_as_int64(TokenDType dtype)
    {
        using var tmp = new TempFolder();
        int[] tokens = [0, 1, 65535, 7, 300, 2];
        var info = TokenShard.Write(tmp.Path, "s", "train", 0, dtype, [tokens]);
        using var shard = new MappedShard(tmp.Sub(info.File), dtype, tokens.Length);
        var all = new long[6];
        shard.CopyTo(0, all);
        Assert.Equal(tokens.Select(t => (long)t), all);
        var mid = new long[3];
        shard.CopyTo(2, mid);
        Assert.Equal([65535L, 7, 300], mid);
        Assert.Throws<ArgumentOutOfRangeException>(() => shard.CopyTo(4, mid));
    }

    [Fact]
    public void Size_mismatch_and_missing_file_are_data_errors()
    {
        using var tmp = new TempFolder();
        var info = TokenShard.Write(tmp.Path, "s", "train", 0, TokenDType.UInt16, [[1, 2, 3]]);
        Assert.Throws<DataFormatException>(() => new MappedShard(tmp.Sub(info.File), TokenDType.UInt32, 3));
        Assert.Throws<DataFormatException>(() => new MappedShard(tmp.Sub(info.File), TokenDType.UInt16, 4));
        Assert.Throws<DataFormatException>(() => new MappedShard(tmp.Sub("none.bin"), TokenDType.UInt16, 3));
    }

    [Fact]
    public void Disposed_shard_refuses_reads()
    {
        using var tmp = new TempFolder();
        var info = TokenShard.Write(tmp.Path, "s", "train", 0, TokenDType.UInt16, [[1, 2]]);
        var shard = new MappedShard(tmp.Sub(info.File), TokenDType.UInt16, 2);
        shard.Dispose();
        Assert.Throws<ObjectDisposedException>(() => shard.CopyTo(0, new long[1]));
    }
}
