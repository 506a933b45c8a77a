// The per-run settings form, built from the state table. Values are checked in Rust
// (RunConfig::set) when applied; a rejected value leaves the run as it was, with a message.
// Labels are i18n keys (set.<key>, set.<key>.<value>); the fields and their order come from the
// state table's RUN_KEYS. Only the fields the chosen objective uses are shown; choosing another
// objective applies at once with that objective's defaults (and the run's seed).
import { runKeysFor, usesKey } from './state.js';

const OPTION_KEYS = { optimizer: (v) => `sym.${v}` };
const fieldsFor = (id) => runKeysFor(id).map((s) => ({
  k: s.key,
  spec: s,
  options: s.type === 'enum' ? s.values.map((v) => [v, (OPTION_KEYS[s.key] || ((x) => `set.${s.key}.${x}`))(v)]) : null,
}));

export function settingsForm(id, onApply) {
  const form = document.createElement('form');
  form.className = 'settings-form';
  form.id = `settings-${id}`;
  for (const f of fieldsFor(id)) {
    const label = document.createElement('label');
    const span = document.createElement('span');
    span.dataset.i18n = `set.${f.k}`;
    label.append(span);
    let input;
    if (f.options) {
      input = document.createElement('select');
      for (const [value, key] of f.options) {
        const o = new Option('', value);
        o.dataset.i18n = key;
        input.append(o);
      }
    } else {
      input = document.createElement('input');
      input.type = 'text';
      input.inputMode = 'decimal';
      input.autocomplete = 'off';
    }
    input.name = f.k;
    label.dataset.key = f.k;
    label.append(input);
    form.append(label);
  }
  form.elements.objective.onchange = () => {
    showFields(id);
    onApply([['objective', form.elements.objective.value], ['seed', String(form.elements.seed.value).trim()]]);
  };
  const apply = document.createElement('button');
  apply.type = 'submit';
  apply.dataset.i18n = 'set.apply';
  form.append(apply);
  form.onsubmit = (ev) => {
    ev.preventDefault();
    onApply(readForm(id));
  };
  return form;
}

// The fields the selected objective uses.
function showFields(id) {
  const form = document.getElementById(`settings-${id}`);
  const objective = form.elements.objective.value;
  for (const f of fieldsFor(id)) form.querySelector(`label[data-key="${f.k}"]`).hidden = !usesKey(f.spec, objective);
}

export function readForm(id) {
  const form = document.getElementById(`settings-${id}`);
  const objective = form.elements.objective.value;
  return fieldsFor(id).filter((f) => usesKey(f.spec, objective)).map((f) => [f.k, String(form.elements[f.k].value).trim()]);
}

export function fillForm(id, pairs) {
  const form = document.getElementById(`settings-${id}`);
  for (const [k, v] of pairs) if (form.elements[k]) form.elements[k].value = v;
  showFields(id);
}
