using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class TokenDTypesTests
{
    [Theory]
    [InlineData(258, TokenDType.UInt16)]
    [InlineData(32004, TokenDType.UInt16)]
    [InlineData(65536, TokenDType.UInt16)]
    [InlineData(65537, TokenDType.UInt32)]
    [InlineData(128256, TokenDType.UInt32)]
    public void Picks_the_smallest_type_that_holds_every_id(int vocab, TokenDType expected)
    {
        var dtype = TokenDTypes.ForVocabulary(vocab);
        Assert.Equal(expected, dtype);
        Assert.True(vocab - 1 <= (dtype == TokenDType.UInt16 ? ushort.MaxValue : uint.MaxValue));
    }

    [Theory]
    [InlineData(TokenDType.UInt16, "uint16", 2)]
    [InlineData(TokenDType.UInt32, "uint32", 4)]
    public void Names_round_trip(TokenDType dtype, string name, int size)
    {
        Assert.Equal(name, dtype.Name());
        Assert.Equal(dtype, TokenDTypes.Parse(name));
        Assert.Equal(size, dtype.Size());
    }

    [Fact]
    public void Unknown_name_is_a_data_error()
    {
        var e = Assert.Throws<DataFormatException>(() => TokenDTypes.Parse("int8", "m.json"));
        Assert.Contains("m.json", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenDTypes.ForVocabulary(0));
    }
}
