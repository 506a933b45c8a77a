// Is this machine too slow for the live lesson? Pure (no DOM), so tests/pace.test.mjs can drive it.
//
// It judges by the GAN's mean pace since both runs began training, not by the steps/s on the run's
// card: the worker measures that over about one second, and a second that holds a judged point
// (the judges' 60 updates, the feature distance, the mode meter) read 3.6 steps/s on the default
// page of a 2-core machine that trained 29 steps/s on average, which made the page offer a
// recording to a class whose machine was fast enough.
export class PaceWatch {
  // After `afterMs` of training, once, if the mean is below `slowStepsPerS`.
  constructor(afterMs, slowStepsPerS) {
    this.afterMs = afterMs;
    this.slow = slowStepsPerS;
    this.since = null; // {now, step} when both runs last began training
    this.last = 0; // the step last observed
    this.offered = false;
  }

  // `now` in ms, `training`: both runs play and no recording is shown, `step`: the GAN's step.
  // Returns the mean steps/s when the offer is due (once), otherwise null.
  observe(now, training, step) {
    const reset = step < this.last; // the step count fell: the run was reset
    this.last = step;
    if (!training) {
      this.since = null;
      return null;
    }
    if (!this.since || reset) this.since = { now, step };
    const ms = now - this.since.now;
    if (this.offered || ms < this.afterMs) return null;
    const rate = ((step - this.since.step) * 1000) / ms;
    if (rate >= this.slow) return null;
    this.offered = true;
    return rate;
  }
}
