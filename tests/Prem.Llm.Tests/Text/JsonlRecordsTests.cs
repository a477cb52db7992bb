using System.Text.Json;
using Prem.Llm.Text;

namespace Prem.Llm.Tests.Text;

public class JsonlRecordsTests
{
    static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement.Clone();

    [Fact]
    public void ReadMessages_RolesAndContents()
    {
        var m = JsonlRecords.ReadMessages(Json("""[{"role":"user","content":"a"},{"role":"assistant","content":"b","extra":1}]"""), "f", 3);
        Assert.Equal([new ChatMessage("user", "a"), new ChatMessage("assistant", "b")], m);
    }

    [Fact]
    public void ReadText_NonObject_Rejected() =>
        Assert.Equal(7, Assert.Throws<TextDataException>(() => JsonlRecords.ReadText(Json("[1]"), "f", 7)).Line);

    [Fact]
    public void ReadOptionalBool_AbsentOrNullIsFalse()
    {
        Assert.False(JsonlRecords.ReadOptionalBool(Json("{}"), "x", "f", 1));
        Assert.False(JsonlRecords.ReadOptionalBool(Json("""{"x":null}"""), "x", "f", 1));
        Assert.True(JsonlRecords.ReadOptionalBool(Json("""{"x":true}"""), "x", "f", 1));
    }

    [Fact]
    public void WrongContentType_NamesIndexedField() =>
        Assert.Equal("messages[1].content", Assert.Throws<TextDataException>(() =>
            JsonlRecords.ReadMessages(Json("""[{"role":"user","content":"a"},{"role":"user","content":3}]"""), "f", 1)).Field);
}
