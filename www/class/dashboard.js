// The teacher's class dashboard: every student's curves overlaid (one thin line per student and run,
// coloured by variant), their latest samples, and the per-variant table, live from the server's
// event stream (server/src/api.rs). Only the browser that created the class holds its key.
/* global uPlot */
import { applyI18n, detectLang, lang, setLang, t } from '../page/i18n.js';
import { TOKEN_KEY, apiUrl } from '../page/class.js';
import { drawQr } from '../views/qr.js';

const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);
const code = (params.get('code') || '').toUpperCase();
// Okabe-Ito: told apart by colour-blind readers too.
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const METRICS = ['js_opt', 'w_opt', 'feature_distance'];

function teacherToken() {
  try {
    const t1 = sessionStorage.getItem(`${TOKEN_KEY}.${code}`);
    if (t1) return t1;
  } catch (_) { /* storage refused */ }
  try {
    const all = JSON.parse(localStorage.getItem(TOKEN_KEY) || '{}') || {};
    return all[code] ? all[code].token : null;
  } catch (_) {
    return null;
  }
}

const token = teacherToken();
const auth = () => ({ Authorization: `Bearer ${token}` });
const dash = {
  summary: null,
  series: new Map(), // "s3/gan" -> {student, run, points: Map(step -> point)}
  dirty: true,
  charts: {},
  chartKeys: {},
  thumbs: new Map(), // "s3/gan" -> {step, url}
  live: false,
};

function fail(text) {
  $('#dash-error').textContent = text;
  $('#dash-error').hidden = false;
}

// ---- colours and names ----

const variants = () => (dash.summary ? dash.summary.sweep.variants : []);
// The server's label (c = 0.011, lr ×0.3, ...), in the reader's words where it has some.
const variantLabel = (name) => {
  const own = t(`class.variant.${name}`);
  return own !== `class.variant.${name}` ? own : (variants().find((v) => v.name === name) || { label: name }).label;
};
function studentVariant(id) {
  const s = dash.summary && dash.summary.students.find((x) => x.student_id === id);
  return s ? s.variant : null;
}
// One variant (GAN vs WGAN across seeds): coloured by run; several: by variant, the GAN dashed.
function style(variant, run) {
  const vs = variants();
  if (vs.length <= 1) return { stroke: run === 'gan' ? 'var(--gan)' : 'var(--wgan)', color: run === 'gan' ? '#D55E00' : '#0072B2', dash: null };
  const k = Math.max(0, vs.findIndex((v) => v.name === variant));
  const color = PALETTE[k % PALETTE.length];
  return { stroke: color, color, dash: run === 'gan' && vs.some((v) => v.runs.length > 1) ? [6, 4] : null };
}
const runName = (run) => t(`obj.${run}`);

// ---- header, legend, table ----

function renderHead() {
  document.title = t('dash.title', { code });
  $('#dash-title').textContent = t('dash.title', { code });
  $('#dash-code').textContent = code.replace(/^(.{4})(.{4})(.{5})$/, '$1 $2 $3');
  const s = dash.summary;
  if (s) {
    const title = t(`class.sweep.${s.sweep.name}`);
    $('#dash-sweep').textContent = `${title.charAt(0).toUpperCase()}${title.slice(1)}: ${t(`class.shows.${s.sweep.name}`)}`;
  }
  const n = s ? s.students.length : 0;
  $('#dash-count').textContent = t('dash.students', { n });
  $('#dash-waiting').hidden = n > 0;
  $('#dash-live').textContent = dash.live ? t('dash.live') : t('dash.reconnecting');
  $('#dash-live').classList.toggle('on', dash.live);
}

function renderLegend() {
  const items = [];
  for (const v of variants()) {
    for (const run of v.runs) {
      const st = style(v.name, run);
      const label = variants().length > 1 ? `${variantLabel(v.name)} · ${runName(run)}` : runName(run);
      items.push(`<span><i style="background:${st.color}${st.dash ? ';background-image:repeating-linear-gradient(90deg,transparent 0 6px,#fff 6px 10px)' : ''}"></i>${escapeHtml(label)}</span>`);
    }
  }
  $('#dash-legend').innerHTML = items.join('');
}

const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
const fmt = (x, digits = 2) => (x == null || !Number.isFinite(x) ? t('dash.none') : x.toFixed(digits));
const seconds = (s) => (s == null ? t('dash.none') : s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);

function renderTable() {
  const rows = dash.summary ? dash.summary.variants : [];
  $('#dash-table').classList.toggle('one-variant', variants().length <= 1);
  $('#dash-table tbody').innerHTML = rows.map((r) => {
    const st = style(r.variant, r.run);
    const to8 = r.reached_8_classes ? t('dash.reached', { t: seconds(r.median_seconds_to_8_classes), n: r.reached_8_classes, of: r.students }) : t('dash.none');
    const collapsed = r.collapsed_share == null ? t('dash.none') : `${Math.round(r.collapsed_share * 100)}% (${r.trained_3_minutes})`;
    const swatch = `<i style="background:${st.color}"></i>`;
    const one = variants().length <= 1;
    return `<tr data-variant="${escapeHtml(r.variant)}" data-run="${r.run}"><td>${swatch}${escapeHtml(variantLabel(r.variant))}</td><td>${one ? swatch : ''}${runName(r.run)}</td>`
      + `<td>${r.students}</td><td>${to8}</td><td>${collapsed}</td><td>${fmt(r.final_feature_distance, 0)}</td><td>${fmt(r.rho_estimate_feature_distance)}</td></tr>`;
  }).join('');
}

// ---- the charts ----

function chartData(metric) {
  const keys = [];
  const tables = [];
  for (const [key, s] of dash.series) {
    const pts = [...s.points.values()].filter((p) => p[metric] != null).sort((a, b) => a.step - b.step);
    if (!pts.length) continue;
    keys.push(key);
    tables.push([pts.map((p) => p.step), pts.map((p) => p[metric])]);
  }
  return { keys, data: tables.length ? uPlot.join(tables) : [[]] };
}

function drawCharts() {
  if (!dash.dirty || typeof uPlot === 'undefined') return;
  dash.dirty = false;
  for (const metric of METRICS) {
    const el = $(`#chart-${metric}`);
    const { keys, data } = chartData(metric);
    const sig = keys.join(',');
    const width = Math.max(200, el.clientWidth);
    const height = el.clientHeight || 220;
    if (dash.charts[metric] && dash.chartKeys[metric] === sig) {
      dash.charts[metric].setData(data);
      continue;
    }
    if (dash.charts[metric]) dash.charts[metric].destroy();
    dash.chartKeys[metric] = sig;
    const series = [{ label: t('dash.x') }, ...keys.map((key) => {
      const s = dash.series.get(key);
      const st = style(studentVariant(s.student), s.run);
      return { label: `${s.student} ${runName(s.run)}`, stroke: st.color, width: 1.25, dash: st.dash || undefined, spanGaps: true, points: { show: false } };
    })];
    dash.charts[metric] = new uPlot({
      width, height, series, legend: { show: false }, cursor: { show: false },
      scales: { x: { time: false } },
      axes: [{ label: t('dash.x'), size: 40 }, { size: 50 }],
    }, data, el);
  }
}

function resizeCharts() {
  for (const metric of METRICS) {
    const c = dash.charts[metric];
    const el = $(`#chart-${metric}`);
    if (c) c.setSize({ width: Math.max(200, el.clientWidth), height: el.clientHeight || 220 });
  }
}

function addPoints(student, points) {
  for (const p of points) {
    const key = `${student}/${p.run}`;
    if (!dash.series.has(key)) dash.series.set(key, { student, run: p.run, points: new Map() });
    dash.series.get(key).points.set(p.step, p);
  }
  dash.dirty = true;
}

// ---- the thumbnails ----

async function refreshThumbs() {
  if (!dash.summary) return;
  const box = $('#dash-thumbs');
  for (const s of dash.summary.students) {
    for (const [run, step] of Object.entries(s.thumbnails || {})) {
      const key = `${s.student_id}/${run}`;
      const have = dash.thumbs.get(key);
      if (have && have.step >= step) continue;
      try {
        const res = await fetch(apiUrl(`classes/${code}/students/${s.student_id}/thumbnail/${run}`), { headers: auth() });
        if (!res.ok) continue;
        const url = URL.createObjectURL(await res.blob());
        if (have) URL.revokeObjectURL(have.url);
        dash.thumbs.set(key, { step, url });
        let fig = box.querySelector(`[data-key="${key}"]`);
        if (!fig) {
          fig = document.createElement('figure');
          fig.dataset.key = key;
          fig.innerHTML = '<img alt=""><figcaption></figcaption>';
          box.append(fig);
        }
        const img = fig.querySelector('img');
        img.src = url;
        img.style.borderColor = style(s.variant, run).color;
        img.alt = `${s.student_id} ${runName(run)} step ${step}`;
        fig.querySelector('figcaption').textContent = `${s.student_id} · ${runName(run)} · ${variants().length > 1 ? variantLabel(s.variant) : ''} ${step}`;
      } catch (_) { /* the next refresh tries again */ }
    }
  }
}

// ---- talking to the server ----

async function loadSummary() {
  const res = await fetch(apiUrl(`classes/${code}`), { headers: auth() });
  if (res.status === 404) throw Object.assign(new Error(t('dash.gone', { code })), { final: true });
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || `HTTP ${res.status}`);
  const first = !dash.summary;
  dash.summary = await res.json();
  if (first) renderLegend();
  renderHead();
  renderTable();
  await refreshThumbs();
}

// The event stream, read with fetch (EventSource cannot send the teacher's key): every stored point
// first, then new ones; after a break it resumes from the last event id.
async function stream() {
  let lastId = '0';
  for (;;) {
    try {
      const res = await fetch(apiUrl(`classes/${code}/events`), { headers: { ...auth(), 'Last-Event-ID': lastId } });
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        fail((await res.json().catch(() => ({}))).error || `HTTP ${res.status}`);
        return;
      }
      dash.live = true;
      renderHead();
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
            else if (line.startsWith('id:')) lastId = line.slice(3).trim();
          }
          if (event === 'points') {
            const v = JSON.parse(data);
            addPoints(v.student_id, v.points);
          } else if (event === 'student' || event === 'thumbnail') {
            dash.stale = true;
          }
        }
      }
    } catch (_) { /* reconnects below */ }
    dash.live = false;
    renderHead();
    await new Promise((ok) => { setTimeout(ok, 1000); });
  }
}

async function download(path, name) {
  const res = await fetch(apiUrl(`classes/${code}/${path}`), { headers: auth() });
  if (!res.ok) return;
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}


function setLanguage(l) {
  setLang(l, document);
  for (const b of document.querySelectorAll('.lang-btn')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang()));
  renderHead();
  renderLegend();
  renderTable();
  dash.chartKeys = {}; // rebuilt with the axis words of the new language
  dash.dirty = true;
}

async function main() {
  setLanguage(params.get('lang') === 'zh' || params.get('lang') === 'en' ? params.get('lang') : detectLang(navigator.languages || [navigator.language]));
  applyI18n(document);
  // The server's join link (its LAN address where it knows one); only an http(s) link is shown.
  const given = params.get('join') || '';
  const join = /^https?:\/\//.test(given) && given.endsWith(`?class=${code}`) ? given : new URL(`../../?class=${code}`, location.href).href;
  $('#dash-link').textContent = join;
  $('#dash-link').href = join;
  drawQr($('#dash-qr'), join);
  for (const b of document.querySelectorAll('.lang-btn')) b.onclick = () => setLanguage(b.dataset.lang);
  $('#dash-presenter').onclick = () => {
    const on = !document.body.classList.contains('presenter');
    document.body.classList.toggle('presenter', on);
    $('#dash-presenter').setAttribute('aria-pressed', String(on));
    requestAnimationFrame(resizeCharts);
  };
  if (params.get('presenter') === '1') $('#dash-presenter').click();
  $('#dash-csv').onclick = () => download('export.csv', `earthmover-class-${code}.csv`);
  $('#dash-json').onclick = () => download('export.json', `earthmover-class-${code}.json`);
  addEventListener('resize', () => requestAnimationFrame(resizeCharts));
  renderHead();
  if (!/^[0-9A-HJKMNP-TV-Z]{13}$/.test(code) || !token) {
    fail(t('dash.no_token', { code }));
    return;
  }
  try {
    await loadSummary();
  } catch (e) {
    fail(e.message);
    if (e.final) return;
  }
  stream();
  setInterval(drawCharts, 1000);
  // The table, the students and their samples: every 5 s, sooner after a student joined.
  let lastSummary = performance.now();
  setInterval(() => {
    if (!dash.stale && performance.now() - lastSummary < 5000) return;
    dash.stale = false;
    lastSummary = performance.now();
    loadSummary().catch(() => {});
  }, 1000);
}

main();
// For tests and scripts: what the dashboard holds.
window.earthmoverClass = {
  snapshot: () => ({
    code,
    live: dash.live,
    students: dash.summary ? dash.summary.students.length : 0,
    series: [...dash.series.values()].map((s) => ({ student: s.student, run: s.run, points: s.points.size })),
    thumbnails: dash.thumbs.size,
    table: dash.summary ? dash.summary.variants : [],
  }),
};
