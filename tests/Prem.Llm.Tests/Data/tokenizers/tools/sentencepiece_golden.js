// Encodes every "text" of a golden JSONL with real SentencePiece (wasm) and writes {"id","text","ids"} rows.
const { SentencePieceProcessor } = require('@agnai/sentencepiece-js');
const fs = require('fs');
(async () => {
  const [model, input, output] = process.argv.slice(2);
  const sp = new SentencePieceProcessor();
  await sp.load(model);
  const rows = fs.readFileSync(input, 'utf8').split('\n').filter(l => l.length).map(l => JSON.parse(l));
  const out = rows.map(r => JSON.stringify({ id: r.id, text: r.text, ids: sp.encodeIds(r.text) }));
  fs.writeFileSync(output, out.join('\n') + '\n');
})();
