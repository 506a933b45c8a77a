// The ratio table of issue 5: Earthmover's result lines against the anchors' (TensorFlow.js in
// the same Chromium, PyTorch on the CPU), per workload. Usage:
//   node scripts/ratio.mjs bench-results/earthmover.jsonl bench-results/anchors/results [out.md]
// Prints the table (Markdown) and writes it to out.md when given. Missing rows print "–".
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [ours, anchorsDir, out] = process.argv.slice(2);
const lines = (f) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l)) : []);
const rows = [...lines(ours)];
if (anchorsDir && existsSync(anchorsDir)) for (const f of readdirSync(anchorsDir)) if (f.endsWith('.jsonl')) rows.push(...lines(join(anchorsDir, f)));

const get = (tool, backend, w) => rows.find((r) => r.tool === tool && r.backend === backend && r.workload === w && r.steps_per_s != null);
const sps = (r) => (r ? r.steps_per_s : null);
const num = (v, d = 1) => (v == null ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(d));
const ratio = (a, b) => (a == null || b == null ? '–' : `${(a / b).toFixed(2)}×`);
const load = (r) => (r && r.notes && r.notes.bg_cpu_busy_pct_before != null ? ` (load ${Math.round(r.notes.bg_cpu_busy_pct_before)}%)` : '');

const TFJS_CPU = ['cpu', 'wasm', 'wasm-t2'];
const out_ = ['| workload | Earthmover wasm CPU | wasm CPU +simd128 | best TF.js CPU backend | ratio (target ≥ 2) | Earthmover WebGPU | TF.js webgpu | ratio (target ≥ 1) '
  + '| PyTorch 1 thread | wasm CPU / PyTorch 1t (target ≥ 0.5) | Earthmover native CPU | PyTorch 2 threads |',
'| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
for (const w of ['small-gan', 'ref-gan', 'ref-wgan']) {
  const plain = get('earthmover', 'wasm-cpu', w);
  const simd = get('earthmover', 'wasm-cpu-simd', w);
  // The ratios use the faster of the two builds.
  const wasm = [plain, simd].filter(Boolean).sort((a, b) => b.steps_per_s - a.steps_per_s)[0];
  const best = TFJS_CPU.map((b) => get('tfjs', b, w)).filter(Boolean).sort((a, b) => b.steps_per_s - a.steps_per_s)[0];
  const gpu = get('earthmover', 'wasm-webgpu', w);
  const tgpu = get('tfjs', 'webgpu', w);
  const t1 = get('torch', 'cpu-1t', w);
  const t2 = get('torch', 'cpu', w);
  const native = get('earthmover', 'native-flex', w) || rows.find((r) => r.tool === 'earthmover' && String(r.backend).startsWith('native') && r.workload === w);
  out_.push(`| ${w} | ${num(sps(plain))}${load(plain)} | ${num(sps(simd))} | ${best ? `${num(best.steps_per_s)} (${best.backend})${load(best)}` : '–'} | ${ratio(sps(wasm), sps(best))} `
    + `| ${num(sps(gpu), 2)} | ${num(sps(tgpu), 2)} | ${ratio(sps(gpu), sps(tgpu))} | ${num(sps(t1))}${load(t1)} | ${ratio(sps(wasm), sps(t1))} `
    + `| ${num(sps(native))} | ${num(sps(t2))} |`);
}
const text = `${out_.join('\n')}\n\nsteps/s (ref-wgan: iterations of 5 critic + 1 generator updates); load = whole-machine CPU busy before the run.\n`;
console.log(text);
if (out) writeFileSync(out, text);
