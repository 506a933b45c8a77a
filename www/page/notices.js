// Notices above the panels and the fatal banner. A notice is kept as a function so that a language
// switch rewords it.
import { t } from './i18n.js';

const $ = (sel) => document.querySelector(sel);
const notices = [];

// `action` ({label: () => words, onClick}) adds a button that does what the notice suggests.
export function notice(text, kind = 'warn', action = null) {
  const p = document.createElement('p');
  p.className = `notice ${kind}`;
  const span = document.createElement('span');
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  const entry = { span, close, text: typeof text === 'function' ? text : () => text, action: null };
  if (action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'notice-action';
    b.textContent = action.label();
    b.onclick = () => { p.remove(); notices.splice(notices.indexOf(entry), 1); action.onClick(); };
    entry.action = { b, label: action.label };
  }
  close.onclick = () => { p.remove(); notices.splice(notices.indexOf(entry), 1); };
  notices.push(entry);
  span.textContent = entry.text();
  close.setAttribute('aria-label', t('notice.dismiss'));
  p.append(span, ...(entry.action ? [entry.action.b] : []), close);
  $('#notices').append(p);
}

export function rewordNotices() {
  for (const n of notices) {
    n.span.textContent = n.text();
    if (n.action) n.action.b.textContent = n.action.label();
    n.close.setAttribute('aria-label', t('notice.dismiss'));
  }
}

export function fatal(text) {
  const el = $('#fatal');
  el.textContent = text;
  el.hidden = false;
  document.body.classList.remove('booting');
}
