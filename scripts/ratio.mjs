// Issue 5's tables from one bench run: Earthmover's result lines against the anchors' (TensorFlow.js
// in the same Chromium, PyTorch on the CPU) per workload, how cost grows with the batch, and the
// page's load figures. Usage:
//   node scripts/ratio.mjs bench-results/earthmover.jsonl bench-results/anchors/results [out.md [docs/performance.md]]
// Prints the tables (Markdown), writes them to out.md, and replaces the part of docs/performance.md between
// `<!-- bench:begin -->` and `<!-- bench:end -->` with them. Missing figures print "–".
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [ours, anchorsDir, out, readme] = process.argv.slice(2);
const lines = (f) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l)) : []);
const rows = [...lines(ours)];
if (anchorsDir && existsSync(anchorsDir)) for (const f of readdirSync(anchorsDir)) if (f.endsWith('.jsonl')) rows.push(...lines(join(anchorsDir, f)));

const get = (tool, backend, w) => rows.find((r) => r.tool === tool && r.backend === backend && r.workload === w && r.steps_per_s != null);
const metric = (m) => rows.find((r) => r.tool === 'earthmover' && r.metric === m);
const sps = (r) => (r ? r.steps_per_s : null);
const num = (v, d = 1) => (v == null ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(d));
const ratio = (a, b) => (a == null || b == null ? '–' : `${(a / b).toFixed(2)}×`);
const load = (r) => (r && r.notes && r.notes.bg_cpu_busy_pct_before != null ? ` (load ${Math.round(r.notes.bg_cpu_busy_pct_before)}%)` : '');

// Other wasm builds measured in the same run (www/pkg-NAME): one column each.
const variants = [...new Set(rows.filter((r) => r.tool === 'earthmover' && /^wasm-cpu-/.test(r.backend)).map((r) => r.backend))];
const TFJS_CPU = ['cpu', 'wasm', 'wasm-t2'];
const tables = [];
tables.push([
  `| workload | Earthmover wasm CPU | ${variants.map((v) => `${v.replace('wasm-cpu-', 'wasm CPU, build ')} | `).join('')}best TF.js CPU backend | ratio (target ≥ 2) `
    + '| Earthmover WebGPU | TF.js webgpu | ratio (target ≥ 1) | PyTorch 1 thread | wasm CPU / PyTorch 1t (target ≥ 0.5) '
    + '| Earthmover native (flex) | native (ndarray) | PyTorch 2 threads |',
  `| --- | ---: | ${variants.map(() => '---: | ').join('')}---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
  ...['small-gan', 'ref-gan', 'ref-wgan'].map((w) => {
    const wasm = get('earthmover', 'wasm-cpu', w);
    const best = TFJS_CPU.map((b) => get('tfjs', b, w)).filter(Boolean).sort((a, b) => b.steps_per_s - a.steps_per_s)[0];
    const gpu = get('earthmover', 'wasm-webgpu', w);
    const tgpu = get('tfjs', 'webgpu', w);
    const t1 = get('torch', 'cpu-1t', w);
    return `| ${w} | ${num(sps(wasm))}${load(wasm)} | ${variants.map((v) => `${num(sps(get('earthmover', v, w)))} | `).join('')}`
      + `${best ? `${num(best.steps_per_s)} (${best.backend})${load(best)}` : '–'} | ${ratio(sps(wasm), sps(best))} `
      + `| ${num(sps(gpu), 2)} | ${num(sps(tgpu), 2)} | ${ratio(sps(gpu), sps(tgpu))} | ${num(sps(t1))}${load(t1)} | ${ratio(sps(wasm), sps(t1))} `
      + `| ${num(sps(get('earthmover', 'native-flex', w)))} | ${num(sps(get('earthmover', 'native-ndarray', w)))} | ${num(sps(get('torch', 'cpu', w)))} |`;
  }),
  '',
  'steps/s (ref-wgan: iterations of 5 critic + 1 generator updates); load = whole-machine CPU busy before the run.',
].join('\n'));

// How cost grows with the batch: steps/s and images/s (batch × steps/s, the D update's real batch).
const BATCHES = [16, 32, 64, 128, 256];
const scaling = [];
for (const [backend, where] of [['wasm-cpu', 'wasm CPU'], ['native-flex', 'native']]) {
  for (const net of ['small', 'ref']) {
    const cells = BATCHES.map((b) => get('earthmover', backend, `${net}-gan@b${b}`));
    if (!cells.some(Boolean)) continue;
    scaling.push(`| ${net}-gan, ${where} | ${cells.map((r, i) => (r ? `${num(r.steps_per_s)} (${num(r.steps_per_s * BATCHES[i], 0)})` : '–')).join(' | ')} |`);
  }
}
if (scaling.length) {
  tables.push([
    `| net, engine | ${BATCHES.map((b) => `batch ${b}`).join(' | ')} |`,
    `| --- | ${BATCHES.map(() => '---:').join(' | ')} |`,
    ...scaling,
    '',
    'steps/s (images/s in brackets) of the GAN step (one D and one G update, paper preset, no probe).',
  ].join('\n'));
}

const first = metric('first_step_ms');
const bytes = metric('transfer_bytes');
const fps = metric('main_thread_fps');
if (first || bytes || fps) {
  tables.push([
    '| page (CPU backend, localhost, headless Chromium) | measured | target |',
    '| --- | ---: | ---: |',
    `| first training step on screen after navigation (median of ${first ? first.notes.loads.length : 5} cold loads${first && first.notes.warmup_loads ? `, after ${first.notes.warmup_loads} not counted` : ''}) | ${first ? `${first.value} ms (${first.notes.loads.join(', ')})` : '–'} | < 1,000 ms (issue 19) |`,
    `| bytes transferred for the whole load (gzip) | ${bytes ? `${(bytes.value / 1e6).toFixed(2)} MB (wasm ${(bytes.notes.wasm_bytes / 1e6).toFixed(2)} MB, fetched ${bytes.notes.wasm_bodies}×)` : '–'} | < 3 MB |`,
    `| main-thread frames/s while both runs train (5 s) | ${fps ? `${fps.value} (longest gap ${fps.notes.max_frame_gap_ms} ms)` : '–'} | ≥ 50 |`,
  ].join('\n'));
}

// Time to digits (issue 19's headline, scripts/digits.mjs): per run, the seconds from navigation to
// each bar on every seed's page load, with the step it came at, and their median.
const digits = rows.filter((r) => r.tool === 'earthmover' && /^time-to-digits-/.test(r.workload) && r.seed != null);
if (digits.length) {
  const cell = (run, bar) => {
    const hits = digits.filter((r) => r.run === run && r.workload === `time-to-digits-${bar}`).sort((a, b) => a.seed - b.seed);
    if (!hits.length) return '– | –';
    const secs = hits.map((r) => (r.capped ? `> ${r.seconds}` : r.seconds.toFixed(1)));
    const steps = hits.map((r) => (r.step == null ? '–' : r.step.toLocaleString('en-US')));
    const med = [...hits].sort((a, b) => a.seconds - b.seconds)[Math.floor(hits.length / 2)];
    return `${secs.join(' / ')} s (steps ${steps.join(' / ')}) | ${med.capped ? '> ' : ''}${med.seconds.toFixed(1)} s`;
  };
  const seeds = [...new Set(digits.map((r) => r.seed))].sort((a, b) => a - b).join(' / ');
  tables.push([
    `| time to digits (default page, both runs training, CPU) | 8 classes, seeds ${seeds} | median | feature distance ≤ 300, seeds ${seeds} | median | target |`,
    '| --- | --- | ---: | --- | ---: | ---: |',
    ...['gan', 'wgan'].map((run) => `| ${run.toUpperCase()} | ${cell(run, '8-classes')} | ${cell(run, 'fd-300')} | ≤ 20 s (issue 19) |`),
  ].join('\n'));
}

const text = `${tables.join('\n\n')}\n`;
console.log(text);
if (out) writeFileSync(out, text);
if (readme && existsSync(readme)) {
  const doc = readFileSync(readme, 'utf8');
  const re = /(<!-- bench:begin -->\n)[\s\S]*?(<!-- bench:end -->)/;
  if (re.test(doc)) {
    const stamp = `Generated by \`./build.sh bench\` on ${new Date().toISOString().slice(0, 10)}.\n\n`;
    writeFileSync(readme, doc.replace(re, (_, a, b) => `${a}${stamp}${text}${b}`));
  }
}
