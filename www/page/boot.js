// The first thing the page runs (issue 5: the first training step on screen). index.html loads
// this module before app.js, and it has no imports, so it runs while the page's other modules
// are still arriving: it starts the two training workers and one streaming compile of the CPU
// wasm, which both workers (and any later restart) instantiate instead of compiling their own.
// runs.js takes the workers over; a failure here only means the workers do the work themselves.
export const earlyWorkers = {};
export let cpuModule = null;
// Which CPU build: 'fma' (www/pkg-fma: the matrix kernel's multiply-adds are relaxed SIMD's
// f32x4.relaxed_madd, one FMA instruction where the CPU has one; 1.2-1.3x the steps/s, issue 19)
// where the browser validates relaxed SIMD, else 'simd' (www/pkg). The same exports: the workers
// instantiate either through www/pkg's JS. These bytes are wasm-feature-detect's relaxedSimd test
// module (a function using i8x16.relaxed_swizzle), inlined because this module imports nothing.
const RELAXED_SIMD = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11];
export let cpuBuild = 'simd';

if (typeof WebAssembly === 'object' && typeof Worker === 'function') {
  for (const id of ['gan', 'wgan']) { // state.js's RUNS, spelled out: importing it would delay this module
    try {
      earlyWorkers[id] = new Worker(new URL('../workers/run.js', import.meta.url), { type: 'module' });
    } catch (_) { /* runs.js tries again and reports */ }
  }
  try {
    if (WebAssembly.validate(new Uint8Array(RELAXED_SIMD))) cpuBuild = 'fma';
  } catch (_) { /* the plain build */ }
  if (typeof WebAssembly.compileStreaming === 'function') {
    // Without SIMD (or with a broken file) this rejects: the worker then compiles the plain build
    // itself and reports any error, and app.js tells a browser without SIMD so.
    const dir = cpuBuild === 'fma' ? '../pkg-fma/' : '../pkg/';
    cpuModule = WebAssembly.compileStreaming(fetch(new URL(`${dir}earthmover_bg.wasm`, import.meta.url)))
      .catch(() => {
        cpuBuild = 'simd';
        return null;
      });
  }
}
