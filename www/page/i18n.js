// Language: one table of strings per language (i18n/en.js, i18n/zh.js), the current language, and
// the DOM pass that fills every element marked data-i18n (text), data-i18n-html (markup) or
// data-i18n-attr="attr:key;attr:key". Importable from Node (no DOM at import time).
import en from '../i18n/en.js';
import zh from '../i18n/zh.js';
import classEn from '../i18n/class-en.js';
import classZh from '../i18n/class-zh.js';
import { PAGE_KEYS, RUN_KEYS } from './state.js';

// The page's strings and the class rooms' (kept in files of their own).
export const STRINGS = { en: { ...en, ...classEn }, zh: { ...zh, ...classZh } };
export const LANGS = ['en', 'zh'];
let current = 'en';
const listeners = new Set();

export const format = (template, params = {}) =>
  String(template).replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined ? m : String(params[k])));

// Each run's objective (a setting of the run): "run.gan" / "run.wgan" and the {gan} / {wgan}
// placeholders of every string name the objective the left / right run trains now.
const runObjectives = { gan: 'gan', wgan: 'wgan' };
export function setRunObjective(id, objective) {
  if (id in runObjectives && STRINGS.en[`obj.${objective}`]) runObjectives[id] = objective;
}
export const runObjective = (id) => runObjectives[id];
export const runName = (id, lang = current) => {
  const k = `obj.${runObjectives[id] || id}`;
  return STRINGS[lang][k] ?? STRINGS.en[k] ?? id;
};

export function t(key, params, lang = current) {
  if (key === 'run.gan' || key === 'run.wgan') return runName(key.slice(4), lang);
  const s = STRINGS[lang][key] ?? STRINGS.en[key];
  if (s === undefined) return key;
  return format(s, { gan: runName('gan', lang), wgan: runName('wgan', lang), ...params });
}

export const lang = () => current;

// The first of the browser's languages we have: Chinese for any zh-*, else English.
export function detectLang(languages) {
  for (const l of languages || []) {
    const p = String(l).toLowerCase();
    if (p.startsWith('zh')) return 'zh';
    if (p.startsWith('en')) return 'en';
  }
  return 'en';
}

export function onLangChange(cb) {
  listeners.add(cb);
}

export function setLang(l, root = globalThis.document) {
  current = LANGS.includes(l) ? l : 'en';
  if (root) {
    root.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
    root.title = t('page.title');
    applyI18n(root);
  }
  for (const cb of listeners) cb(current);
}

export function applyI18n(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-html]')) el.innerHTML = t(el.dataset.i18nHtml);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

const SPECS = new Map([...PAGE_KEYS.map((k) => [k.key, k]), ...RUN_KEYS.map((k) => [k.key, k])]);
const KNOWN = [...PAGE_KEYS.map((k) => k.key), 'gan.<setting>', 'wgan.<setting>'].join(', ');

function fallbackText(n, l) {
  if (n.fallback === undefined) return t('notice.preset_value', {}, l);
  if (n.fallback === null) return t('notice.browser_language', {}, l);
  if (Array.isArray(n.fallback)) return n.fallback.length ? n.fallback.join(',') : t('notice.none', {}, l);
  if (typeof n.fallback === 'boolean') return n.fallback ? '1' : '0';
  return String(n.fallback);
}

// Words a parser notice (state.js) in language `l`.
export function noticeText(n, l = current) {
  const spec = SPECS.get(n.setting || n.key);
  const params = {
    ...n,
    fallback: fallbackText(n, l),
    allowed: (n.allowed || (spec && spec.values) || []).join(', '),
    unknown: (n.unknown || []).join(', '),
    min: n.min ?? (spec && spec.min),
    max: n.max ?? (spec && spec.max),
    known: KNOWN,
  };
  return t(`notice.${n.code}`, params, l);
}
