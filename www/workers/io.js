// The workers' shared helpers: yielding to queued messages, the WebGPU adapter query, downloads.
import { coded, message } from '../common/protocol.js';

// Let queued messages (pause, cancel) in between two slices of work. A message to ourselves, not
// setTimeout(0): a timer set from a timer's own callback more than 5 deep waits at least 4 ms (the
// HTML spec's clamp), and a run that yields every 30 ms lost 7% of its time to it (issue 19). A
// message queues behind the ones already waiting, so a pause that came first is handled first.
const channel = typeof MessageChannel === 'undefined' ? null : new MessageChannel();
const waiting = [];
if (channel) channel.port1.onmessage = () => waiting.shift()();
export const yieldToEvents = () => new Promise((r) => {
  if (!channel) return setTimeout(r, 0);
  waiting.push(r);
  channel.port2.postMessage(null);
});

// What the browser says about WebGPU, decided by the wasm's `chooseBackend` (pure, tested natively).
export async function detectBackend(requested, chooseBackend) {
  // A navigator.gpu that throws when read (a browser setting or extension) counts as none.
  let hasWebgpu = false;
  try { hasWebgpu = typeof navigator !== 'undefined' && !!navigator.gpu; } catch (_) { hasWebgpu = false; }
  // Browsers hide navigator.gpu outside secure contexts (HTTPS or localhost): say so, not "no WebGPU".
  const secure = typeof isSecureContext === 'undefined' || isSecureContext;
  let adapter = null;
  if (hasWebgpu && requested !== 'cpu') {
    try {
      adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    } catch (_) {
      adapter = null;
    }
  }
  let info = {};
  let fallback = false;
  try {
    info = (adapter && adapter.info) || {};
    fallback = !!(info.isFallbackAdapter || (adapter && adapter.isFallbackAdapter));
  } catch (_) { /* an adapter that cannot describe itself is used without a name */ }
  return chooseBackend(requested, hasWebgpu, secure, !!adapter, info.vendor || '', info.architecture || '',
    info.description || '', fallback);
}

// A file's bytes, or an error coded `${what}-fetch` / `${what}-http` for the page to word.
export async function download(url, what) {
  let res;
  try {
    res = await fetch(url);
  } catch (e) {
    throw coded(`${what}-fetch`, message(e), { url });
  }
  if (!res.ok) throw coded(`${what}-http`, `HTTP ${res.status}`, { url, status: res.status });
  return new Uint8Array(await res.arrayBuffer());
}
