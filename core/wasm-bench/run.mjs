// Runs the wasm dedupe benchmark: node run.mjs WASM MODEL_DIR CORPUS QUERIES
// Prints one JSON object. Times are taken around each exported call with
// performance.now() (sub-microsecond resolution in node).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const [wasmPath, modelDir, corpusPath, queriesPath] = process.argv.slice(2);
const enc = new TextEncoder();
const t0 = performance.now();
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const instantiateMs = performance.now() - t0;
const x = instance.exports;

function put(bytes) {
  const p = x.alloc(bytes.length);
  new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
  return [p, bytes.length];
}

const table = put(readFileSync(`${modelDir}/chorus-static-256.bin`));
const vocab = put(readFileSync(`${modelDir}/vocab.txt`));
let t = performance.now();
if (x.load(table[0], table[1], vocab[0], vocab[1]) !== 1) throw new Error("model load failed");
const loadMs = performance.now() - t;

const corpus = put(readFileSync(corpusPath));
const queries = readFileSync(queriesPath, "utf8").split("\n").filter((q) => q.length > 0);
const qbuf = queries.map((q) => put(enc.encode(q)));
const partial = queries.map((q) => {
  const cut = q.slice(0, Math.floor((q.length * 2) / 3));
  return put(enc.encode(cut));
});

const pct = (v, p) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.round((s.length - 1) * p)];
};
const out = { wasm_instantiate_ms: instantiateMs, wasm_model_load_ms: loadMs };
for (const n of [1000, 10000, 100000]) {
  t = performance.now();
  const stored = x.rebuild(corpus[0], corpus[1], n);
  const rebuildMs = performance.now() - t;
  const k = `${n / 1000}k`;
  if (n === 1000) {
    // Warm-up: one pass of both operations so V8 has tiered the hot code up
    // (as in a warm Worker isolate); the cold costs are load and rebuild.
    for (const [p, l] of qbuf) x.decide(p, l);
    for (const [p, l] of partial) x.suggest(p, l);
  }
  out[`wasm_rebuild_ms_${k}`] = rebuildMs;
  if (n === 100000) {
    // The same rows from stored features (as the edge keeps them): with the
    // model, and before it is loaded (attached afterwards); best of three.
    const bytes = x.store_features(corpus[0], corpus[1], n);
    out.wasm_stored_feature_bytes_per_question = bytes / n;
    for (const [name, withModel] of [["wasm_rebuild_stored_ms_100k", 1], ["wasm_rebuild_stored_no_model_ms_100k", 0]]) {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const s = performance.now();
        if (x.rebuild_stored(withModel) !== n) throw new Error("stored rebuild failed");
        best = Math.min(best, performance.now() - s);
      }
      out[name] = best;
    }
  }
  const ask = [];
  for (const [p, l] of qbuf) {
    const s = performance.now();
    x.decide(p, l);
    ask.push((performance.now() - s) * 1000);
  }
  out[`wasm_ask_p50_us_${k}`] = pct(ask, 0.5);
  out[`wasm_ask_p99_us_${k}`] = pct(ask, 0.99);
  if (n === 100000) {
    const sug = [];
    for (const [p, l] of partial) {
      const s = performance.now();
      x.suggest(p, l);
      sug.push((performance.now() - s) * 1000);
    }
    out.wasm_suggest_p50_us = pct(sug, 0.5);
    out.wasm_suggest_p99_us = pct(sug, 0.99);
    out.wasm_index_bytes_per_question = x.heap_bytes() / stored;
    out.wasm_memory_mb = x.memory.buffer.byteLength / 1048576;
  }
}
out.wasm_file_bytes = readFileSync(wasmPath).length;
console.log(JSON.stringify(out));
