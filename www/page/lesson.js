// Lesson mode (issue 17): a guided sequence through the seeds' argument. Each step says what to
// watch (that part of the page outlined, the rest greyed or hidden), offers the one action it needs as a
// button, and when it has to wait for training shows a progress bar instead of a frozen screen.
// `?lesson=k` opens step k; →/PgDn and ←/PgUp (what presenter clickers send) move through it.
import { t } from './i18n.js';

// The steps: the panel each shows, the elements it highlights, its action and what it waits for.
// `wait(page)` -> null (nothing to wait for) or {value in [0, 1], text}.
export const STEPS = [
  { id: 'players', panel: 'live', focus: ['#run-gan', '#run-wgan'], action: 'play' },
  {
    id: 'digits', panel: 'live', focus: ['#run-gan', '#run-wgan', '#chart-feature'], action: 'play',
    wait: (p) => {
      const c = ['gan', 'wgan'].map((id) => Math.min(DIGIT_CLASSES, p.covered(id)));
      return { value: (c[0] + c[1]) / (2 * DIGIT_CLASSES), text: t('lesson.wait.digits', { a: c[0], b: c[1], n: DIGIT_CLASSES }) };
    },
  },
  {
    id: 'optimal', panel: 'live', focus: ['#chart-probe', '#panel-optimality .chart', '#opt-msg', '#opt-summary'], action: 'optimality',
    wait: (p) => (p.optProgress ? { value: p.optProgress.k / p.optProgress.total, text: t('lesson.wait.optimal', p.optProgress) }
      : p.optDone ? { value: 1, text: '' } : null),
  },
  { id: 'logd', panel: 'live', focus: ['#run-gan', '#chart-signals', '#modes-section'], action: 'loss' },
  { id: 'lines', panel: 'lines', focus: ['#panel-lines .lab-grid', '#panel-lines .lab-controls'], action: 'lines' },
  {
    id: 'critic', panel: 'live', focus: ['#chart-estimates', '#chart-feature', '#chart-wopt', '#run-wgan'], action: 'play',
    wait: (p) => {
      const n = Math.min(JUDGED_POINTS, p.judged('wgan'));
      return { value: n / JUDGED_POINTS, text: t('lesson.wait.critic', { n, total: JUDGED_POINTS }) };
    },
  },
  { id: 'gp', panel: 'live', focus: ['#run-gan', '#run-wgan', '#chart-estimates', '#chart-wopt'], action: 'compare' },
  { id: 'energy', panel: 'energy', focus: ['#panel-energy .mcmc-grids', '#mcmc-form', '#mcmc-msg', '#chart-mcmc-u', '#mcmc-summary'], action: 'mcmc' },
];
// Step 2 waits until both runs' mode meters cover this many digit classes (of 10).
export const DIGIT_CLASSES = 7;
// Step 6 waits for this many judged points on the right run (its caught-up W_hat, one every ~4 s).
export const JUDGED_POINTS = 12;

const $ = (sel) => document.querySelector(sel);

// `page`: {state, syncUrl, showPanel, act(name) -> Promise, covered(id), judged(id), mark(text)}.
export class Lesson {
  constructor(page) {
    this.page = page;
    this.el = $('#lesson');
    this.busy = false;
    $('#lesson-back').onclick = () => this.go(this.k - 1);
    $('#lesson-next').onclick = () => this.go(this.k + 1);
    $('#lesson-close').onclick = () => this.close();
    $('#lesson-act').onclick = () => this.act();
    this.timer = null;
  }

  get k() { return this.page.state.lesson; }

  get active() { return this.k > 0; }

  open(k = 1) { this.go(k); }

  close() {
    this.page.state.lesson = 0;
    this.page.syncUrl();
    this.render();
  }

  // Go to step k (1-based), clamped to the lesson.
  go(k) {
    const n = STEPS.length;
    this.page.state.lesson = Math.max(1, Math.min(n, Math.round(k) || 1));
    this.page.syncUrl();
    const s = STEPS[this.k - 1];
    this.page.showPanel(s.panel);
    const k1 = this.page.state.lesson;
    this.page.mark(() => t('mark.lesson', { k: k1 }));
    this.render();
    // The page from the top: the card sits under the tabs, and on a 1280x720 screen the run
    // cards and the charts the step points at fit under it.
    window.scrollTo(0, 0);
  }

  async act() {
    if (!this.active || this.busy) return;
    const s = STEPS[this.k - 1];
    this.busy = true;
    this.render();
    try {
      await this.page.act(s.action);
    } catch (e) {
      // The page's own notice or the run's card says what went wrong; the lesson stays usable.
    } finally {
      this.busy = false;
      this.render();
    }
  }

  render() {
    const on = this.active;
    document.body.classList.toggle('lesson-on', on);
    this.el.hidden = !on;
    $('#lesson-btn').setAttribute('aria-pressed', String(on));
    document.querySelectorAll('.lesson-focus').forEach((e) => e.classList.remove('lesson-focus'));
    clearInterval(this.timer);
    this.timer = null;
    if (!on) return;
    const s = STEPS[this.k - 1];
    for (const sel of s.focus) document.querySelectorAll(sel).forEach((e) => e.classList.add('lesson-focus'));
    $('#lesson-count').textContent = t('lesson.count', { k: this.k, n: STEPS.length });
    $('#lesson-title').textContent = t(`lesson.${s.id}.h`);
    $('#lesson-text').textContent = t(`lesson.${s.id}.p`);
    $('#lesson-watch').textContent = t(`lesson.${s.id}.watch`);
    const act = $('#lesson-act');
    act.textContent = t(`lesson.${s.id}.act`);
    act.disabled = this.busy;
    $('#lesson-back').disabled = this.k <= 1;
    $('#lesson-next').disabled = this.k >= STEPS.length;
    const bar = $('#lesson-bar');
    bar.style.width = `${(100 * this.k) / STEPS.length}%`;
    $('#lesson-steps').setAttribute('aria-valuenow', String(this.k));
    $('#lesson-steps').setAttribute('aria-valuetext', t('lesson.count', { k: this.k, n: STEPS.length }));
    this.showWait();
    if (s.wait) this.timer = setInterval(() => this.showWait(), 500);
  }

  // The step's wait: a progress bar and what it waits for, or nothing.
  showWait() {
    const s = STEPS[this.k - 1];
    const w = s && s.wait ? s.wait(this.page) : null;
    const box = $('#lesson-wait');
    box.hidden = !w;
    if (!w) return;
    const p = $('#lesson-progress');
    p.value = Math.max(0, Math.min(1, w.value));
    $('#lesson-wait-text').textContent = w.value >= 1 ? t(`lesson.${s.id}.ready`) : w.text;
  }
}
