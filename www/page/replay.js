// Recorded runs: a run export loaded back (a file or the API) or a recording that ships with the
// page (www/recordings, written by ./build.sh record), shown in place of the live runs. A
// recording with frames plays back: its curves grow and its digits change with the page time each
// point stands for (t), `speed` times faster than it was trained on a 2-core machine. A machine
// that trains too slowly is offered one. app.js owns the live runs and passes what this needs.
import { buildRun, download, parseRun } from './exporter.js';
import { setRunObjective, t } from './i18n.js';
import { notice } from './notices.js';
import { PaceWatch } from './pace.js';
import { rebuildCharts } from '../views/charts.js';
import { RUNS as IDS } from './state.js';
import { linkFor } from './ui.js';

const $ = (sel) => document.querySelector(sel);
// The recordings that ship with the page.
export const RECORDINGS = ['gan-wgan', 'wgan-wgan_gp'];
const PLAYBACK_TICK_MS = 250;
// Below SLOW_STEPS_PER_S GAN steps/s (a third of the 15 a 2-core machine reaches with both runs
// training), digits take more than about 3 minutes to appear: the page offers a recording.
const SLOW_STEPS_PER_S = 5;
const SLOW_AFTER_MS = 20_000;
// The objective a run's settings ([[key, value], ...]) name.
export const objectiveOf = (settings) => (settings || []).find(([k]) => k === 'objective')?.[1];

export class Replays {
  // page: {runs, state, render(id), drawView(id), redraw(), snapshot(), pause()}.
  constructor(page) {
    this.page = page;
    this.current = null; // {file, exported, runs, full, playback?}
    $('#export-run').onclick = () => {
      const v = (id) => this.view(id);
      download(`earthmover-run-gan${v('gan').step}-wgan${v('wgan').step}.json`, this.export());
    };
    $('#replay-play').onclick = () => this.playback(!this.current.playback.playing);
    $('#replay-speed').onchange = () => this.setSpeed(Number($('#replay-speed').value));
    $('#replay-back').onclick = () => this.leave();
    $('#load-run').onchange = async (ev) => {
      const f = ev.target.files[0];
      ev.target.value = '';
      if (!f) return;
      try {
        await this.load(await f.text(), f.name);
      } catch (_) { /* the notice says why */ }
    };
    // One click: the recording of the pair the live runs train (GAN vs WGAN by default); the
    // choice of both when they train another pair.
    $('#rec-btn').onclick = () => {
      const pair = IDS.map((id) => objectiveOf(page.runs[id].settings) || id).join('-');
      if (RECORDINGS.includes(pair)) { this.use(pair).catch(() => {}); return; }
      $('#rec-status').textContent = '';
      $('#recordings').showModal();
    };
    $('#rec-close').onclick = () => $('#recordings').close();
    document.querySelectorAll('[data-recording]').forEach((b) => { b.onclick = () => this.use(b.dataset.recording).catch(() => {}); });
    this.offerOnSlowMachines();
  }

  // What the page shows for run `id`: the recording's while one is loaded, else the live run.
  view(id) {
    return this.current ? this.current.runs[id] : this.page.runs[id];
  }

  // For snapshot(): which recording, and where its playback stands.
  info() {
    const r = this.current;
    if (!r) return null;
    const pb = r.playback;
    return { file: r.file, exported: r.exported, ...(pb ? { clock: pb.clock, seconds: pb.seconds, speed: pb.speed, playing: pb.playing } : {}) };
  }

  // The page's run export (www/page/exporter.js) of what is shown.
  export() {
    const { runs, state } = this.page;
    const src = Object.fromEntries(IDS.map((id) => {
      const v = this.view(id);
      return [id, { ...v, backend: runs[id].backend ? runs[id].backend.label : null, settings: v.settings || runs[id].settings }];
    }));
    return buildRun(src, linkFor(state));
  }

  showBanner() {
    const r = this.current;
    $('#replay').hidden = !r;
    if (!r) return;
    const pb = r.playback;
    $('#replay-controls').hidden = !pb;
    if (!pb) {
      $('#replay-text').textContent = t('export.replay', { file: r.file, date: r.exported || '?', gan: r.runs.gan.step, wgan: r.runs.wgan.step });
      return;
    }
    const mmss = (x) => `${Math.floor(x / 60)}:${String(Math.floor(x % 60)).padStart(2, '0')}`;
    const name = RECORDINGS.includes(r.file) ? t(`rec.${r.file}`) : r.file; // a file of the teacher's own
    $('#replay-text').textContent = t('rec.banner', { name, at: mmss(pb.clock), of: mmss(pb.seconds), gan: r.runs.gan.step, wgan: r.runs.wgan.step });
    $('#replay-play').textContent = pb.playing ? t('rec.pause') : t('rec.play');
    $('#replay-speed').value = String(pb.speed);
  }

  setSpeed(speed) {
    if (!this.current || !this.current.playback) return;
    this.current.playback.speed = speed;
    this.showBanner();
  }

  // The recording as it stood at its playback clock: points up to then, the last frame before.
  reveal() {
    const r = this.current;
    const pb = r.playback;
    for (const id of IDS) {
      const f = r.full.runs[id];
      const history = f.history.filter((p) => p.t <= pb.clock);
      const frame = f.frames.filter((x) => x.t <= pb.clock).pop() || f.frames[0];
      r.runs[id] = { ...f, history: history.length ? history : [f.history[0]], step: (history[history.length - 1] || f.history[0]).step,
        samples: frame.samples, modes: frame.modes ? { ...frame.modes, step: frame.step } : null };
      this.page.render(id);
      this.page.drawView(id);
    }
    this.page.redraw();
    this.showBanner();
  }

  playback(on) {
    const pb = this.current && this.current.playback;
    if (!pb) return;
    clearInterval(pb.timer);
    pb.timer = null;
    pb.playing = on && pb.clock < pb.seconds;
    if (pb.playing) {
      pb.timer = setInterval(() => {
        pb.clock = Math.min(pb.seconds, pb.clock + (PLAYBACK_TICK_MS / 1000) * pb.speed);
        if (pb.clock >= pb.seconds) this.playback(false);
        this.reveal();
      }, PLAYBACK_TICK_MS);
    }
    this.showBanner();
  }

  // The objectives the charts and cards name: the recording's while it is shown, the runs' after.
  nameRuns() {
    for (const id of IDS) {
      const o = objectiveOf(this.current ? this.current.full.runs[id].settings : this.page.runs[id].settings);
      if (o) setRunObjective(id, o);
    }
    rebuildCharts();
  }

  // Show a run export (its JSON text); resolves to the page's snapshot, rejects on a bad file.
  async load(text, file = 'file') {
    const res = parseRun(text);
    if (!res.ok) {
      notice(() => t('export.bad', { detail: res.error }), 'error');
      throw new Error(res.error);
    }
    await this.page.pause();
    if (this.current) this.playback(false);
    const r = { file, ...res.run, full: res.run, runs: { ...res.run.runs } };
    this.current = r;
    if (IDS.every((id) => res.run.runs[id].frames)) {
      const seconds = Math.max(...IDS.map((id) => res.run.runs[id].history[res.run.runs[id].history.length - 1].t));
      r.playback = { clock: 0, seconds, speed: 4, playing: false, timer: null };
    }
    this.nameRuns();
    if (r.playback) {
      this.reveal();
      this.playback(true);
    } else {
      this.redrawAll();
    }
    return this.page.snapshot();
  }

  leave() {
    if (this.current) this.playback(false);
    this.current = null;
    this.nameRuns();
    this.redrawAll();
  }

  redrawAll() {
    for (const id of IDS) { this.page.render(id); this.page.drawView(id); }
    this.showBanner();
    this.page.redraw();
  }

  // A recording that ships with the page, by name.
  async use(name) {
    if (!RECORDINGS.includes(name)) throw new Error(`unknown recording ${JSON.stringify(name)}; use ${RECORDINGS.join(' or ')}`);
    $('#rec-status').textContent = t('rec.loading');
    let text;
    try {
      const res = await fetch(new URL(`../recordings/${name}.json`, import.meta.url));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (e) {
      $('#rec-status').textContent = '';
      notice(() => t('rec.failed', { detail: e.message }), 'error');
      throw e;
    }
    $('#rec-status').textContent = '';
    if ($('#recordings').open) $('#recordings').close();
    return this.load(text, name);
  }

  // Once, after SLOW_AFTER_MS of both runs training below SLOW_STEPS_PER_S GAN steps/s on average.
  offerOnSlowMachines() {
    const { runs } = this.page;
    const watch = new PaceWatch(SLOW_AFTER_MS, SLOW_STEPS_PER_S);
    setInterval(() => {
      const training = !this.current && IDS.every((id) => runs[id] && runs[id].playing);
      const rate = watch.observe(Date.now(), training, runs.gan ? runs.gan.step : 0);
      if (rate === null) return;
      notice(() => t('rec.slow', { rate: rate.toFixed(1), slow: SLOW_STEPS_PER_S }), 'info',
        { label: () => t('rec.use'), onClick: () => this.use('gan-wgan').catch(() => {}) });
    }, 2000);
  }
}
