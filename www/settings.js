// The per-run settings form: one declarative table of fields. Values are checked in Rust
// (RunConfig::set) when applied; a rejected value leaves the run as it was, with a message.
const FIELDS = [
  { k: 'gan_loss', label: 'Generator loss', only: 'gan',
    options: [['nonsaturating', 'non-saturating (−log D)'], ['saturating', 'saturating (minimax)']] },
  { k: 'net', label: 'Network', options: [['small', 'small (fast)'], ['reference', 'reference (PyTorch-GAN)']] },
  { k: 'optimizer', label: 'Optimizer', options: [['adam', 'Adam'], ['rmsprop', 'RMSProp']] },
  { k: 'lr_d', label: 'D / critic learning rate' },
  { k: 'lr_g', label: 'G learning rate' },
  { k: 'batch', label: 'Batch size' },
  { k: 'latent', label: 'Latent size' },
  { k: 'n_critic', label: 'n_critic (D steps per G step)' },
  { k: 'clip', label: 'Weight clip c', only: 'wgan' },
  { k: 'beta1', label: 'Adam β1' },
  { k: 'beta2', label: 'Adam β2' },
  { k: 'seed', label: 'Seed' },
];

const fieldsFor = (id) => FIELDS.filter((f) => !f.only || f.only === id);

export function settingsForm(id, onApply) {
  const form = document.createElement('form');
  form.className = 'settings-form';
  form.id = `settings-${id}`;
  for (const f of fieldsFor(id)) {
    const label = document.createElement('label');
    label.textContent = f.label;
    let input;
    if (f.options) {
      input = document.createElement('select');
      for (const [value, text] of f.options) input.append(new Option(text, value));
    } else {
      input = document.createElement('input');
      input.type = 'text';
      input.inputMode = 'decimal';
      input.autocomplete = 'off';
    }
    input.name = f.k;
    label.append(input);
    form.append(label);
  }
  const apply = document.createElement('button');
  apply.type = 'submit';
  apply.textContent = 'Apply (resets this run)';
  form.append(apply);
  form.onsubmit = (ev) => {
    ev.preventDefault();
    onApply(readForm(id));
  };
  return form;
}

export function readForm(id) {
  const form = document.getElementById(`settings-${id}`);
  return fieldsFor(id).map((f) => [f.k, String(form.elements[f.k].value).trim()]);
}

export function fillForm(id, pairs) {
  const form = document.getElementById(`settings-${id}`);
  for (const [k, v] of pairs) if (form.elements[k]) form.elements[k].value = v;
}
