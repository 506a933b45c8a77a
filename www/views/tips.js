// Short explanations where the eye is (issue 17): every stat tile and chart title explains itself
// on hover and on keyboard focus. The words live in a hidden description the element points at
// with aria-describedby (screen readers read it), and one floating box shows them to the eye;
// Escape hides it. The descriptions carry data-i18n, so a language change rewords them.
import { t } from '../page/i18n.js';

let box = null;
let store = null;
let n = 0;
let shownFor = null;

function ensure() {
  if (box) return;
  store = document.createElement('div');
  store.hidden = true;
  store.id = 'tip-texts';
  box = document.createElement('div');
  box.className = 'tooltip';
  box.setAttribute('aria-hidden', 'true'); // its words are already each element's description
  box.hidden = true;
  document.body.append(store, box);
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') hide(); });
  // Touch screens (issue 35): a tap on another element closes the open explanation.
  document.addEventListener('pointerdown', (ev) => {
    if (shownFor && !shownFor.contains(ev.target)) hide();
  }, true);
}

function show(el) {
  const key = el.dataset.tip;
  if (!key) return;
  shownFor = el;
  box.textContent = t(key);
  box.hidden = false;
  const r = el.getBoundingClientRect();
  const w = box.offsetWidth;
  box.style.left = `${Math.max(4, Math.min(r.left, document.documentElement.clientWidth - w - 4)) + scrollX}px`;
  box.style.top = `${r.bottom + scrollY + 4}px`;
}

function hide(el) {
  if (el && el !== shownFor) return;
  shownFor = null;
  if (box) box.hidden = true;
}

// Give `el` the explanation `key` (an i18n key); focusable, so that the keyboard reaches it.
export function tip(el, key) {
  ensure();
  el.dataset.tip = key;
  let d = el.tipDesc;
  if (!d) {
    d = document.createElement('span');
    d.id = `tip-${++n}`;
    store.append(d);
    el.tipDesc = d;
    el.setAttribute('aria-describedby', d.id);
    if (!el.hasAttribute('tabindex')) el.tabIndex = 0;
    el.classList.add('has-tip');
    el.addEventListener('mouseenter', () => show(el));
    el.addEventListener('mouseleave', () => hide(el));
    el.addEventListener('focus', () => show(el));
    el.addEventListener('blur', () => hide(el));
    // A tap (touch or pen, where there is no hover) opens the explanation; a second tap on the
    // same element closes it. A tap's pointerup comes before the focus and mouse events it causes.
    el.addEventListener('pointerup', (ev) => {
      if (ev.pointerType === 'mouse') return;
      if (shownFor === el) hide(el);
      else show(el);
    });
  }
  d.dataset.i18n = key;
  d.textContent = t(key);
  if (shownFor === el) show(el);
}

// Every stat tile under `root` whose label is an i18n key K gets the explanation tip.K.
export function tipStats(root = document) {
  for (const div of root.querySelectorAll('.stats > div')) {
    const dt = div.querySelector('dt[data-i18n]');
    if (dt) tip(div, `tip.${dt.dataset.i18n}`);
  }
}
