// Code-first examples, one per stage: how a host app composes the trainer without YAML.
//   dotnet run --project samples/Prem.Llm.Examples -- pretrain CORPUS.jsonl TOKENIZER_DIR OUT_DIR
//   dotnet run --project samples/Prem.Llm.Examples -- sft      MODEL_DIR CHATS.jsonl OUT_DIR
//   dotnet run --project samples/Prem.Llm.Examples -- dpo      MODEL_DIR PAIRS.jsonl OUT_DIR
using Prem.Llm.Examples;

return args switch
{
    ["pretrain", var corpus, var tokenizer, var output] => PretrainExample.Run(corpus, tokenizer, output),
    ["sft", var model, var chats, var output] => SftExample.Run(model, chats, output),
    ["dpo", var model, var pairs, var output] => DpoExample.Run(model, pairs, output),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: examples pretrain CORPUS.jsonl TOKENIZER_DIR OUT | sft MODEL_DIR CHATS.jsonl OUT | dpo MODEL_DIR PAIRS.jsonl OUT");
    return 2;
}
