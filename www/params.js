// URL parameters: validated, each problem turned into a notice; nothing here can throw.
const KNOWN = ['autoplay', 'seed', 'backend'];

export function readParams(search) {
  const out = { autoplay: false, seed: null, backend: 'auto', notices: [] };
  let q;
  try {
    q = new URLSearchParams(search);
  } catch (_) {
    out.notices.push('The page address could not be read; using the defaults.');
    return out;
  }
  for (const [k, v] of q) {
    if (!KNOWN.includes(k)) {
      out.notices.push(`Unknown URL parameter "${k}" ignored (known: ${KNOWN.join(', ')}).`);
    } else if (k === 'autoplay') {
      if (v === '1' || v === 'true') out.autoplay = true;
      else if (v !== '0' && v !== 'false') out.notices.push(`autoplay=${v} is not 0 or 1; not autoplaying.`);
    } else if (k === 'seed') {
      if (/^\d{1,10}$/.test(v) && Number(v) <= 4294967295) out.seed = Number(v);
      else out.notices.push(`seed=${v} is not a whole number from 0 to 4294967295; using the default seed.`);
    } else if (k === 'backend') {
      if (['auto', 'cpu', 'webgpu'].includes(v)) out.backend = v;
      else out.notices.push(`backend=${v} is not auto, cpu or webgpu; choosing automatically.`);
    }
  }
  return out;
}
