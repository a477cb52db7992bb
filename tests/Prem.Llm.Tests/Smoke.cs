using TorchSharp;
namespace Prem.Llm.Tests;
public class Smoke { [Fact] public void Loads() { using var t = torch.ones(3); Assert.Equal(3f, t.sum().item<float>()); } }
