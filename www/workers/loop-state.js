// The training loop's state, one value with pure transitions (issue 36). A worker's run is
// 'starting' until it is built, then 'paused' or 'playing'; a non-finite loss makes it 'diverged'
// (it trains no more until a reset rebuilds it) and a lost WebGPU device 'lost' (for good: the page
// moves the run to a new worker). run.js holds one such value and changes it only through
// `next`; tests/loop-state.test.mjs walks it through every event. No browser API here.

export const PHASES = Object.freeze(['starting', 'paused', 'playing', 'diverged', 'lost']);

export const initial = () => ({ phase: 'starting' });

// The state after `ev`, one of:
//   {type: 'ready', autoplay}  the run is built (autoplay: it trains at once)
//   {type: 'play'}             the page asks it to train
//   {type: 'pause'}            the page asks it to stop (also before an experiment or a reset)
//   {type: 'reset', play}      the run was rebuilt (play: it trained before the reset)
//   {type: 'diverged'}         a loss or the samples stopped being finite
//   {type: 'error'}            the loop failed otherwise: it stops; the run can still step or reset
//   {type: 'lost'}             the WebGPU device was lost
// An event that does not apply in a phase leaves the state as it is (playing a diverged run,
// pausing a paused one); an unknown event throws.
export function next(s, ev) {
  const to = (phase) => (phase === s.phase ? s : { phase });
  switch (ev.type) {
    case 'ready':
      return s.phase === 'starting' ? to(ev.autoplay ? 'playing' : 'paused') : s;
    case 'play':
      return s.phase === 'paused' ? to('playing') : s;
    case 'pause':
    case 'error':
      return s.phase === 'playing' ? to('paused') : s;
    case 'reset':
      return ['paused', 'playing', 'diverged'].includes(s.phase) ? to(ev.play ? 'playing' : 'paused') : s;
    case 'diverged':
      return ['paused', 'playing'].includes(s.phase) ? to('diverged') : s;
    case 'lost':
      return to('lost');
    default:
      throw new Error(`unknown loop event ${JSON.stringify(ev && ev.type)}`);
  }
}

// Whether the loop trains on.
export const isPlaying = (s) => s.phase === 'playing';
// Whether the run may train at all (a step, the loop): built, finite, on a device it still has.
export const canTrain = (s) => s.phase === 'paused' || s.phase === 'playing';
