// Loads the tiny-gqa reference model through the packed library and checks one golden logit row.
using System.Text.Json;
using Prem.Llm.Modeling;
using static TorchSharp.torch;

string folder = args[0];
using var model = LlamaForCausalLM.FromPretrained(folder);
using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "golden.json")));
var prompt = golden.RootElement.GetProperty("prompts")[0].EnumerateArray().Select(x => x.GetInt64()).ToArray();
var expected = golden.RootElement.GetProperty("logits")[0][0].EnumerateArray().Select(x => x.GetSingle()).ToArray();
using var logits = model.forward(tensor(prompt).unsqueeze(0));
var row = logits[0, 0].data<float>().ToArray();
float worst = row.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
Console.WriteLine($"pack-smoke: forward ok, max |logit - golden| at position 0 = {worst:G3}");
return worst < 1e-4 ? 0 : 1;
