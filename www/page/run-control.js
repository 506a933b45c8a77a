// A run record's controls on the page, with pure transitions (issue 36): whether its worker is
// ready, whether it is shown training, the play/pause requests still on their way, a divergence,
// and a restart in progress (a lost GPU device, a backend switch, the guard). runs.js changes these
// fields only through `control`; tests/run-control.test.mjs walks them through every event. No DOM
// and no worker here.

export const initialControl = () => ({
  ready: false,
  playing: false,
  // What the user last asked for (play or pause): a restarted run resumes it.
  wasPlaying: false,
  // Play or pause requests on their way to the worker: its status messages posted before they
  // arrive do not undo what the button shows.
  toggling: 0,
  diverged: null, // {step, detail}
  restart: null, // {wasPlaying, lost, slow} while the run moves to a new worker
});

// The fields after `ev`, one of:
//   {type: 'worker'}               a new worker was started (no request of the old one is pending)
//   {type: 'ready'}                the worker built the run (after a restart too)
//   {type: 'play'}, {type: 'pause'}  the user asked; {type: 'toggled'} one such request came back
//   {type: 'status', playing}      the worker's own account
//   {type: 'diverged', step, detail}, {type: 'reset'} (a rebuilt run), {type: 'error', stops}
//   {type: 'restart', lost, slow}  the run leaves its worker (lost: the device; slow: the guard)
// Returns the same object where nothing changes. An unknown event throws.
export function control(c, ev) {
  const set = (fields) => ({ ...c, ...fields });
  switch (ev.type) {
    case 'worker':
      return set({ toggling: 0 });
    case 'ready':
      return set({ ready: true, diverged: null, restart: null });
    case 'play':
      return !c.ready || c.diverged ? c : set({ playing: true, wasPlaying: true, toggling: c.toggling + 1 });
    case 'pause':
      return c.ready ? set({ playing: false, wasPlaying: false, toggling: c.toggling + 1 }) : set({ wasPlaying: false });
    case 'toggled':
      return set({ toggling: Math.max(0, c.toggling - 1) });
    case 'status':
      return c.toggling || c.restart || c.playing === !!ev.playing ? c : set({ playing: !!ev.playing });
    case 'diverged':
      return set({ playing: false, diverged: { step: ev.step, detail: ev.detail } });
    case 'reset':
      return c.diverged ? set({ diverged: null }) : c;
    case 'error':
      return ev.stops && c.playing ? set({ playing: false }) : c;
    case 'restart': {
      if (c.restart) return c;
      const moved = !!(ev.lost || ev.slow);
      // The guard moves a run that was training; a lost device stops the run before it restarts,
      // so the user's last request says whether it was.
      const wasPlaying = c.playing || (moved && c.wasPlaying) || !!ev.slow;
      return set({ ready: false, playing: false, restart: { wasPlaying, lost: ev.lost || null, slow: ev.slow || null } });
    }
    default:
      throw new Error(`unknown run control event ${JSON.stringify(ev && ev.type)}`);
  }
}
