using Prem.Llm.Recipes;

namespace Prem.Llm.Tests.Recipes;

public class RecipeExceptionTests
{
    [Fact]
    public void The_message_joins_location_key_and_problem()
    {
        Assert.Equal("f.yaml:3: a.b: bad", new RecipeException("f.yaml:3", "a.b", "bad").Message);
        Assert.Equal("a.b: bad", new RecipeException(null, "a.b", "bad").Message);
        Assert.Equal("f.yaml: bad", new RecipeException("f.yaml", null, "bad").Message);
    }
}
