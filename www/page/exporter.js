// Files out and in: downloads, the sample grid as PNG, and the whole-run JSON export that can be
// loaded back to show a recorded run without training. parseRun never throws: it answers
// {ok: true, run} or {ok: false, error} with a reason a teacher can act on.

export const FORMAT = 'earthmover-run';
export const VERSION = 1;
const GRID_BYTES = 64 * 784;
const NUMERIC = ['emd', 'feature_distance', 'js_opt', 'w_opt', 'lipschitz', 'w_norm', 'loss_d', 'loss_g', 'grad_norm_g', 'js_hat', 'w_hat', 'js_probe', 'rho_est', 'rho_probe',
  'rho_feature'];

// Save `blob` as `name` through a temporary link (works offline; nothing leaves the page).
export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// 64 digits (0 = background, 255 = ink) as an 8 x 8 grid, ink dark on white, `scale` px per pixel.
export function gridCanvas(pixels, scale = 2) {
  const c = document.createElement('canvas');
  c.width = c.height = 224 * scale;
  const g = c.getContext('2d');
  const img = g.createImageData(c.width, c.height);
  for (let k = 0; k < 64; k++) {
    const ox = (k % 8) * 28;
    const oy = Math.floor(k / 8) * 28;
    for (let p = 0; p < 784; p++) {
      const v = 255 - pixels[k * 784 + p];
      const x0 = (ox + (p % 28)) * scale;
      const y0 = (oy + Math.floor(p / 28)) * scale;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = ((y0 + dy) * c.width + x0 + dx) * 4;
          img.data[i] = img.data[i + 1] = img.data[i + 2] = v;
          img.data[i + 3] = 255;
        }
      }
    }
  }
  g.putImageData(img, 0, 0);
  return c;
}

export const canvasBlob = (c) => new Promise((ok) => c.toBlob(ok, 'image/png'));

function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// The export: what the page shows, plus the settings and address that made it.
export function buildRun(runs, address) {
  const out = { format: FORMAT, version: VERSION, exported: new Date().toISOString(), address, runs: {} };
  for (const [id, r] of Object.entries(runs)) {
    out.runs[id] = {
      label: r.label, step: r.step, backend: r.backend, settings: r.settings, emd_floor: r.floor ?? null,
      history: r.history, samples: r.samples ? toBase64(r.samples) : null, modes: r.modes || null,
      loss_switches: r.switches || [],
    };
  }
  return new Blob([JSON.stringify(out)], { type: 'application/json' });
}

const finiteOrNull = (v) => v === null || (typeof v === 'number' && Number.isFinite(v));

function checkRun(id, r) {
  if (!r || typeof r !== 'object') return `runs.${id} is missing`;
  if (!Array.isArray(r.history) || r.history.length === 0) return `runs.${id}.history is not a list of points`;
  let last = -1;
  for (const [i, p] of r.history.entries()) {
    if (!p || !Number.isInteger(p.step) || p.step < 0) return `runs.${id}.history[${i}].step is not a step number`;
    if (p.step <= last) return `runs.${id}.history is not in step order at [${i}]`;
    last = p.step;
    for (const k of NUMERIC) if (k in p && !finiteOrNull(p[k])) return `runs.${id}.history[${i}].${k} is not a number`;
  }
  if (!Number.isInteger(r.step) || r.step < last) return `runs.${id}.step does not match its history`;
  if (r.samples !== null && r.samples !== undefined) {
    let bytes;
    try {
      bytes = fromBase64(String(r.samples));
    } catch (_) {
      return `runs.${id}.samples is not base64`;
    }
    if (bytes.length !== GRID_BYTES) return `runs.${id}.samples has ${bytes.length} bytes, not ${GRID_BYTES}`;
  }
  if (r.modes != null && !(Array.isArray(r.modes.counts) && r.modes.counts.length === 10)) return `runs.${id}.modes is malformed`;
  // A recording's frames: the sample grid and the mode meter at page times t, in order.
  if (r.frames != null) {
    if (!Array.isArray(r.frames) || r.frames.length === 0) return `runs.${id}.frames is not a list of frames`;
    let lastT = -1;
    for (const [i, f] of r.frames.entries()) {
      if (!f || !Number.isInteger(f.step) || typeof f.t !== 'number' || !(f.t >= lastT)) return `runs.${id}.frames[${i}] has no step or time in order`;
      lastT = f.t;
      let bytes;
      try {
        bytes = fromBase64(String(f.samples));
      } catch (_) {
        return `runs.${id}.frames[${i}].samples is not base64`;
      }
      if (bytes.length !== GRID_BYTES) return `runs.${id}.frames[${i}].samples has ${bytes.length} bytes, not ${GRID_BYTES}`;
      if (f.modes != null && !(Array.isArray(f.modes.counts) && f.modes.counts.length === 10)) return `runs.${id}.frames[${i}].modes is malformed`;
    }
    if (!r.history.every((p) => typeof p.t === 'number')) return `runs.${id}.history has points without a time t`;
  }
  if (!finiteOrNull(r.emd_floor ?? null)) return `runs.${id}.emd_floor is not a number`;
  return null;
}

export function parseRun(text) {
  let j;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON (${e.message})` };
  }
  if (!j || j.format !== FORMAT) return { ok: false, error: `"format" is not "${FORMAT}"` };
  if (j.version !== VERSION) return { ok: false, error: `version ${JSON.stringify(j.version)} is not ${VERSION}` };
  if (!j.runs || typeof j.runs !== 'object') return { ok: false, error: '"runs" is missing' };
  for (const id of ['gan', 'wgan']) {
    const err = checkRun(id, j.runs[id]);
    if (err) return { ok: false, error: err };
  }
  const runs = {};
  for (const id of ['gan', 'wgan']) {
    const r = j.runs[id];
    runs[id] = { label: String(r.label || id.toUpperCase()), step: r.step, history: r.history, floor: r.emd_floor ?? null,
      samples: r.samples ? fromBase64(r.samples) : null, modes: r.modes || null, settings: Array.isArray(r.settings) ? r.settings : [],
      frames: r.frames ? r.frames.map((f) => ({ step: f.step, t: f.t, samples: fromBase64(f.samples), modes: f.modes || null })) : null };
  }
  const recording = j.recording && typeof j.recording === 'object' ? j.recording : null;
  return { ok: true, run: { exported: String(j.exported || ''), address: String(j.address || ''), runs, recording } };
}
