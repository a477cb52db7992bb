using Prem.Llm.Data;

namespace Prem.Llm.Tests.Data;

public class LoaderStateTests
{
    [Fact]
    public void Json_round_trips()
    {
        var s = new LoaderState(3, 1234567890123);
        Assert.Equal("{\"epoch\":3,\"step\":1234567890123}", s.ToJson());
        Assert.Equal(s, LoaderState.FromJson(s.ToJson()));
    }

    [Theory]
    [InlineData("{\"epoch\":")]
    [InlineData("{\"epoch\":-1,\"step\":0}")]
    [InlineData("null")]
    public void Invalid_state_is_a_data_error(string json) => Assert.Throws<DataFormatException>(() => LoaderState.FromJson(json));
}
