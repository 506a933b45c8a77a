// Class rooms on the page (the Rust server in server/, README "A class experiment"): the Class
// dialog, where a teacher picks a sweep and creates a class, and a student's side of a join link
// (?class=CODE): join, train the variant the server assigned, and send the logged points and a
// sample grid every few seconds, keeping what the server has not acknowledged until it has.
import { t } from './i18n.js';
import { notice } from './notices.js';
import { RUNS as IDS } from './state.js';
import { canvasBlob, gridCanvas } from './exporter.js';
import { loadMemo } from './backend-badge.js';

const $ = (sel) => document.querySelector(sel);
// The API beside the page (the server serves both), relative so that a subpath works too.
export const apiUrl = (path) => new URL(`api/${path}`, new URL('../../', import.meta.url)).href;
// Where a teacher's browser keeps each class's key (only it opens the dashboard).
export const TOKEN_KEY = 'earthmover.classes';
const SEND_MS = 5000;

async function apiJson(path, init = {}) {
  const res = await fetch(apiUrl(path), { ...init, headers: { 'Content-Type': 'application/json', ...(init.headers || {}) } });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
  if (!res.ok) {
    const e = new Error(body && body.error ? body.error : `HTTP ${res.status}`);
    e.status = res.status;
    // A refusal in the API's own words; anything else (a static host's 404) means no class server.
    e.fromServer = !!(body && body.error);
    throw e;
  }
  return body;
}

export function saveTeacherToken(code, token) {
  try {
    const all = JSON.parse(localStorage.getItem(TOKEN_KEY) || '{}') || {};
    all[code] = { token, at: Date.now() };
    localStorage.setItem(TOKEN_KEY, JSON.stringify(all));
  } catch (_) { /* private mode: the dashboard opens in this tab only (sessionStorage below) */ }
  try { sessionStorage.setItem(`${TOKEN_KEY}.${code}`, token); } catch (_) { /* nothing more to do */ }
}

// ---- the teacher's dialog ----

async function openDialog() {
  const dialog = $('#class-dialog');
  const list = $('#class-sweeps');
  const status = $('#class-status');
  status.textContent = '';
  let sweeps;
  try {
    sweeps = (await apiJson('sweeps')).sweeps;
  } catch (e) {
    // A static host has no API: say what the class rooms need, and change nothing else.
    notice(() => (e.status && !e.fromServer ? t('class.no_server') : t('class.failed', { detail: e.message })), 'warn');
    return;
  }
  list.replaceChildren(...sweeps.map((s, i) => {
    const label = document.createElement('label');
    label.className = 'class-sweep';
    const input = Object.assign(document.createElement('input'), { type: 'radio', name: 'class-sweep', value: s.name, checked: i === 0 });
    const title = document.createElement('b');
    title.dataset.i18n = `class.sweep.${s.name}`;
    title.textContent = t(`class.sweep.${s.name}`);
    const shows = document.createElement('span');
    shows.dataset.i18n = `class.shows.${s.name}`;
    shows.textContent = t(`class.shows.${s.name}`);
    label.append(input, title, shows);
    return label;
  }));
  if (!dialog.open) dialog.showModal();
}

async function createClass() {
  const sweep = ($('#class-sweeps input:checked') || {}).value;
  if (!sweep) return;
  const status = $('#class-status');
  status.textContent = t('class.starting');
  $('#class-start').disabled = true;
  try {
    const c = await apiJson('classes', { method: 'POST', body: JSON.stringify({ sweep }) });
    saveTeacherToken(c.code, c.teacher_token);
    location.assign(new URL(`../class/?code=${encodeURIComponent(c.code)}&join=${encodeURIComponent(c.join_url)}${document.documentElement.lang === 'zh-CN' ? '&lang=zh' : ''}`, import.meta.url).href);
  } catch (e) {
    status.textContent = t('class.failed', { detail: e.message });
  } finally {
    $('#class-start').disabled = false;
  }
}

// ---- a student's laptop ----

// Points of `id`'s history newer than `after`, each with the seconds it has trained and the classes
// the mode meter last found: stamped once, so that a point sent again is the same point.
function stamp(run, after, now, t0) {
  const out = [];
  for (const p of run.history) {
    if (p.step <= after) continue;
    out.push({ ...p, seconds: Math.round((now - t0) / 100) / 10, classes: run.modes ? run.modes.covered : null });
  }
  return out;
}

// The settings this laptop's run `id` trains: the variant's, its own seed, and the scaled preset values.
export function variantSettings(joined, defaults) {
  const v = joined.settings || { settings: [], scale: [] };
  const out = v.settings.map(([k, val]) => [k, String(val)]);
  out.push(['seed', String(joined.seed)]);
  for (const [k, f] of v.scale || []) {
    const d = (defaults || []).find(([key]) => key === k);
    if (d) out.push([k, String(Number(d[1]) * f)]);
  }
  return out;
}

class Student {
  constructor(code, joined, page) {
    Object.assign(this, { code, joined, page, pending: [], sent: 0, last: {}, stopped: {}, gridSent: {}, offlineSince: null });
    this.t0 = {};
  }

  headers() {
    return { Authorization: `Bearer ${this.joined.token}` };
  }

  banner() {
    const j = this.joined;
    const runs = j.runs.length > 1 ? t('class.banner_both') : t(`run.${j.runs[0]}`);
    const own = t(`class.variant.${j.variant}`);
    const variant = own !== `class.variant.${j.variant}` ? own : j.settings ? j.settings.label : j.variant;
    // GAN vs WGAN across seeds: the variant is the seed itself.
    const key = j.sweep.name === 'seeds' ? 'class.banner_seed' : 'class.banner';
    let text = t(key, { code: this.code, runs, variant, seed: j.seed, sweep: t(`class.sweep.${j.sweep.name}`) });
    if (this.pending.length && this.offlineSince) {
      text += ` ${t('class.offline', { pending: this.pending.length, since: new Date(this.offlineSince).toLocaleTimeString() })}`;
    } else if (this.sent) {
      text += ` ${t('class.sent', { points: this.sent })}`;
    }
    $('#class-banner-text').textContent = text;
    $('#class-banner').hidden = false;
  }

  // New points of every run this laptop trains, into the queue.
  collect() {
    const now = performance.now();
    for (const id of this.joined.runs) {
      const r = this.page.runs[id];
      if (this.stopped[id] || !r.history.length) continue;
      this.t0[id] ??= now;
      const last = this.last[id] ?? -1;
      // The run started over (a reset): its new points would repeat steps with other values.
      if (r.history[r.history.length - 1].step < last) {
        this.stopped[id] = true;
        notice(() => t('class.reset_stops', { run: t(`run.${id}`) }), 'warn');
        continue;
      }
      const fresh = stamp(r, last, now, this.t0[id]);
      if (fresh.length) this.last[id] = fresh[fresh.length - 1].step;
      for (const p of fresh) this.pending.push({ run: id, ...p });
    }
  }

  async send() {
    this.collect();
    if (this.pending.length) {
      // At most 200 points a request (a long time offline: the rest go with the next ones).
      const batch = this.pending.slice(0, 200);
      try {
        const res = await fetch(apiUrl(`classes/${this.code}/students/${this.joined.student_id}/points`), {
          method: 'POST', headers: { 'Content-Type': 'application/json', ...this.headers() }, body: JSON.stringify({ points: batch }),
        });
        if (res.status === 204) {
          this.pending.splice(0, batch.length);
          this.sent += batch.length;
          this.offlineSince = null;
        } else if (res.status >= 400 && res.status < 500 && res.status !== 429) {
          // Refused for good (the class expired, a conflict): say so once, and stop sending.
          const body = await res.json().catch(() => ({}));
          notice(() => t('class.join_failed', { code: this.code, detail: body.error || `HTTP ${res.status}` }), 'error');
          this.pending = [];
          this.done = true;
        } else {
          this.offlineSince ??= Date.now();
        }
      } catch (_) {
        this.offlineSince ??= Date.now();
      }
    }
    await this.sendGrids();
    this.banner();
  }

  async sendGrids() {
    for (const id of this.joined.runs) {
      const r = this.page.runs[id];
      // A grid the server has already (a paused run) is not sent again.
      if (!r.samples || this.stopped[id] || this.offlineSince || this.gridSent[id] === r.samples) continue;
      try {
        const blob = await canvasBlob(gridCanvas(r.samples, 1));
        const res = await fetch(apiUrl(`classes/${this.code}/students/${this.joined.student_id}/thumbnail/${id}?step=${r.step}`), {
          method: 'PUT', headers: { 'Content-Type': 'image/png', ...this.headers() }, body: blob,
        });
        if (res.ok) this.gridSent[id] = r.samples;
      } catch (_) { /* sent with the next ones */ }
    }
  }

  // New points are stamped every second (their training time within a second), sent every 5 s.
  loop() {
    let next = performance.now() + 1000;
    const tick = async () => {
      if (this.done) return;
      this.collect();
      if (performance.now() >= next) {
        next = performance.now() + SEND_MS;
        await this.send();
      }
      setTimeout(tick, 1000);
    };
    setTimeout(tick, 1000);
  }
}

async function joinClass(code, page) {
  $('#class-banner-text').textContent = t('class.joining', { code });
  $('#class-banner').hidden = false;
  // A machine whose browser remembers WebGPU winning its backend race trains both runs.
  const fast = Object.values(loadMemo()).some((m) => m && Object.values(m).some((r) => r && r.chosen === 'webgpu'));
  let joined;
  try {
    joined = await apiJson(`classes/${code}/students`, { method: 'POST', body: JSON.stringify({ fast }) });
  } catch (e) {
    const detail = e.status && !e.fromServer ? t('class.no_server') : e.message;
    $('#class-banner-text').textContent = t('class.join_failed', { code, detail });
    return null;
  }
  await page.ready;
  const student = new Student(code, joined, page);
  student.banner();
  for (const id of IDS) {
    if (joined.runs.includes(id)) {
      await page.reset(id, variantSettings(joined, page.runs[id].defaults), 'settings');
    } else {
      await page.pause(id);
      page.say(id, () => t('class.not_in_sweep'));
    }
  }
  await page.play();
  student.loop();
  return student;
}

// Wire the Class button and dialog; `page`: {state, runs, ready, reset, play, pause, say}.
export function setupClass(page) {
  $('#class-btn').onclick = () => openDialog();
  $('#class-start').onclick = () => createClass();
  $('#class-close').onclick = () => $('#class-dialog').close();
  if (page.state.class === 'new') openDialog();
  else if (page.state.class) page.student = joinClass(page.state.class, page);
}
