// One experiment at a time in a run's worker, the shape both lab panels share ("train D to
// optimality", MCMC): refuse a second one while one runs, enable Start / Cancel, send the request
// with its progress handler, and cancel it (the worker still answers with what it has).
import { t } from '../page/i18n.js';

export class Experiment {
  // runs: {request(runId, op, args, {onProgress}) -> Promise (with .reqId), cancel(runId, reqId)};
  // ids: the panel's Start and Cancel buttons; busy: the i18n key of "one is already running".
  constructor(runs, { start, cancel, busy }) {
    Object.assign(this, { runs, startId: start, cancelId: cancel, busy });
    this.current = null; // {runId, reqId}
    document.getElementById(cancel).onclick = () => this.cancel();
  }

  get running() {
    return !!this.current;
  }

  buttons(running) {
    document.getElementById(this.startId).disabled = running;
    document.getElementById(this.cancelId).disabled = !running;
  }

  // Resolves to the worker's reply, or rejects with its error (code and detail).
  start(runId, op, args, onProgress) {
    if (this.current) return Promise.reject(new Error(t(this.busy)));
    const p = this.runs.request(runId, op, args, { onProgress });
    this.current = { runId, reqId: p.reqId };
    this.buttons(true);
    return p.finally(() => {
      this.current = null;
      this.buttons(false);
    });
  }

  cancel() {
    if (this.current) this.runs.cancel(this.current.runId, this.current.reqId);
  }
}
