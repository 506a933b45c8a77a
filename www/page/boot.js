// The first thing the page runs (issue 5: the first training step on screen). index.html loads
// this module before app.js, and it has no imports, so it runs while the page's other modules
// are still arriving: it starts the two training workers and one streaming compile of the CPU
// wasm, which both workers (and any later restart) instantiate instead of compiling their own.
// runs.js takes the workers over; a failure here only means the workers do the work themselves.
export const earlyWorkers = {};
export let cpuModule = null;

if (typeof WebAssembly === 'object' && typeof Worker === 'function') {
  for (const id of ['gan', 'wgan']) { // state.js's RUNS, spelled out: importing it would delay this module
    try {
      earlyWorkers[id] = new Worker(new URL('../workers/run.js', import.meta.url), { type: 'module' });
    } catch (_) { /* runs.js tries again and reports */ }
  }
  if (typeof WebAssembly.compileStreaming === 'function') {
    // Without SIMD (or with a broken file) this rejects: the worker then compiles the wasm
    // itself and reports the error, and app.js tells a browser without SIMD so.
    cpuModule = WebAssembly.compileStreaming(fetch(new URL('../pkg/earthmover_bg.wasm', import.meta.url)))
      .catch(() => null);
  }
}
