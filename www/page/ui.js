// Page-level controls that are not about training: the share (lesson link) dialog, the help
// overlay, keyboard shortcuts, presenter mode and the language buttons. `page` is the small
// interface app.js hands over: {state, setState(patch), play/pause/step/reset, showPanel, ...}.
import { t } from './i18n.js';
import { drawQr } from '../views/qr.js';
import { STEPS } from './lesson.js';
import { CONTROLS, PANELS, serializeState } from './state.js';

const $ = (sel) => document.querySelector(sel);

// The link that reproduces `state` (with `hide` for a lesson link) from this page's address.
export function linkFor(state) {
  return `${location.origin}${location.pathname}${serializeState(state)}`;
}

export function setupUi(page) {
  // ---- share dialog ----
  const dialog = $('#share');
  const hideBox = $('#share-hide');
  for (const c of CONTROLS) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = c;
    box.onchange = () => fillShare();
    const span = document.createElement('span');
    span.dataset.i18n = `control.${c}`;
    label.append(box, span);
    hideBox.append(label);
  }
  // The link may open the lesson at a step (lesson=k).
  const lessonSel = $('#share-lesson');
  for (let k = 0; k <= STEPS.length; k++) {
    const o = document.createElement('option');
    o.value = String(k);
    lessonSel.append(o);
  }
  lessonSel.onchange = () => fillShare();
  const lessonNames = () => {
    [...lessonSel.options].forEach((o, k) => {
      o.textContent = k ? `${k}. ${t(`lesson.${STEPS[k - 1].id}.h`)}` : t('share.lesson_none');
    });
  };
  const shareState = () => ({ ...page.state, lesson: Number(lessonSel.value),
    hide: [...hideBox.querySelectorAll('input:checked')].map((b) => b.value) });
  function fillShare() {
    const s = shareState();
    $('#share-url').value = linkFor(s);
    const q = serializeState(s).slice(1);
    $('#share-sets').textContent = q ? q.split('&').map(decodeURIComponent).join(' · ') : t('share.defaults');
    drawQr($('#share-qr'), $('#share-url').value);
  }
  $('#share-btn').onclick = () => {
    for (const b of hideBox.querySelectorAll('input')) b.checked = page.state.hide.includes(b.value);
    lessonNames();
    lessonSel.value = String(page.state.lesson || 0);
    $('#share-status').textContent = '';
    fillShare();
    dialog.showModal();
    $('#share-url').select();
  };
  $('#share-copy').onclick = async () => {
    const url = $('#share-url').value;
    try {
      await navigator.clipboard.writeText(url);
      $('#share-status').textContent = t('share.copied');
    } catch (_) {
      $('#share-url').select();
      $('#share-status').textContent = t('share.copy_failed');
    }
  };
  $('#share-close').onclick = () => dialog.close();

  // ---- help overlay ----
  const help = $('#help');
  const showHelp = () => { if (!help.open) help.showModal(); };
  $('#help-btn').onclick = showHelp;
  $('#help-close').onclick = () => help.close();

  // ---- presenter mode and language ----
  $('#presenter-btn').onclick = () => page.setPresenter(!page.state.presenter);
  document.querySelectorAll('.lang-btn').forEach((b) => { b.onclick = () => page.setLanguage(b.dataset.lang); });

  // ---- keyboard shortcuts (none while typing, none for a control a lesson link hides) ----
  const hidden = (c) => page.state.hide.includes(c);
  // Single-character shortcuts can be turned off (WCAG 2.1.4, e.g. for speech input); the choice
  // is remembered in this browser. Arrows and PgUp/PgDn (the lesson) are not character keys.
  const KEY = 'earthmover.single-keys';
  const stored = () => { try { return localStorage.getItem(KEY); } catch (_) { return null; } };
  const singleBox = $('#single-keys');
  // Read when the page is idle, or at the first key or Help if sooner: the first localStorage
  // access waits for the browser (~25 ms of the page's start, issue 19).
  let read = false;
  const readChoice = () => {
    if (read) return;
    read = true;
    singleBox.checked = stored() !== 'off';
  };
  (self.requestIdleCallback || ((f) => setTimeout(f, 1000)))(readChoice, { timeout: 3000 });
  $('#help-btn').addEventListener('click', readChoice);
  singleBox.onchange = () => {
    read = true;
    try { localStorage.setItem(KEY, singleBox.checked ? 'on' : 'off'); } catch (_) { /* private mode */ }
  };
  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    const el = ev.target;
    // A checkbox or radio button takes no text: shortcuts work while one has the focus.
    const typing = el && (el.isContentEditable || ['SELECT', 'TEXTAREA'].includes(el.tagName)
      || (el.tagName === 'INPUT' && !['checkbox', 'radio'].includes(el.type)));
    if (typing) return;
    // Space and Enter belong to a focused button, link or <summary>: they press it.
    const pressable = el && el.closest && el.closest('button, a[href], summary, [role="button"], [role="tab"], input[type=checkbox], input[type=radio]');
    if (pressable && (ev.key === ' ' || ev.key === 'Enter')) return;
    if (document.querySelector('dialog[open]') && ev.key !== 'Escape') return;
    const k = ev.key;
    readChoice();
    if (k.length === 1 && !singleBox.checked) return;
    let done = true;
    if (k === ' ' && !hidden('play')) page.togglePlay();
    else if ((k === 's' || k === 'S') && !hidden('step')) page.step();
    else if ((k === 'r' || k === 'R') && !hidden('reset')) page.reset();
    else if (/^[1-5]$/.test(k) && !hidden('tabs')) page.showPanel(PANELS[Number(k) - 1]);
    else if (k === 'f' || k === 'F') toggleFullscreen();
    else if ((k === 'p' || k === 'P') && !hidden('presenter')) page.setPresenter(!page.state.presenter);
    else if ((k === 'l' || k === 'L') && !hidden('language')) page.setLanguage(page.language() === 'zh' ? 'en' : 'zh');
    else if (k === '?' || k === 'h' || k === 'H') showHelp();
    // Lesson mode: presenter clickers send PageDown / PageUp (some send the arrow keys).
    else if ((k === 'ArrowRight' || k === 'PageDown') && page.lesson.active) page.lesson.go(page.state.lesson + 1);
    else if ((k === 'ArrowLeft' || k === 'PageUp') && page.lesson.active) page.lesson.go(page.state.lesson - 1);
    else done = false;
    if (done) ev.preventDefault();
  });
}


function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
}
