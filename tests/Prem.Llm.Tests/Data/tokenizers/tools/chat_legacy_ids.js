// HF "legacy" Llama-2-vocabulary ids for each "<s>" render in example.json: the text is split at
// Prem-1B-chat's added tokens, each token becomes its id and each text segment is encoded by real
// SentencePiece as a standalone string (dummy prefix included).
const { SentencePieceProcessor } = require('@agnai/sentencepiece-js');
const fs = require('fs');
(async () => {
  const [model, example, output] = process.argv.slice(2);
  const sp = new SentencePieceProcessor();
  await sp.load(model);
  const added = { '<unk>': 0, '<s>': 1, '</s>': 2, '<|start_header_id|>': 32000, '<|end_header_id|>': 32001, '<|eot_id|>': 32002, '[PAD]': 32003 };
  const pattern = new RegExp('(' + Object.keys(added).map(t => t.replace(/[|[\]]/g, '\\$&')).join('|') + ')');
  const renders = JSON.parse(fs.readFileSync(example, 'utf8')).renders;
  const result = {};
  for (const [key, text] of Object.entries(renders)) {
    if (!key.endsWith('bos=<s>')) continue;
    const ids = [];
    for (const part of text.split(pattern)) {
      if (part in added) ids.push(added[part]);
      else if (part.length) ids.push(...sp.encodeIds(part));
    }
    result[key] = ids;
  }
  fs.writeFileSync(output, JSON.stringify(result, null, 1) + '\n');
})();
