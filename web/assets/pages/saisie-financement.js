// Keeping an action's money by hand from the dashboard's action detail (issue 17): « Enregistrer un
// montant » (createFunding), and on each line « Corriger » (updateFunding, a new amount) and « Clore »
// (endFunding, after a confirmation). Who may declare what is the API's to decide (the import's rules); the
// page only hides the forms from a token that cannot write, and shows the API's French refusal as it is.
import { alert, clearFieldErrors, el, euros, graphql, parseEuros, setFieldError, show } from '/assets/app.js';
import { labelsOf } from '/assets/labels.js';

// Labels: the kernel's one table (/assets/labels.js).
const STAGES = labelsOf('FundingStage');
const INSTRUMENTS = labelsOf('FundingInstrument');
const CREDIT_NATURES = labelsOf('CreditNature');

const LINE = 'id amount year stage';
const CREATE = `mutation Saisie($input: CreateFundingInput!) { createFunding(input: $input) { ${LINE} } }`;
const UPDATE = `mutation Correction($id: ID!, $input: UpdateFundingInput!) { updateFunding(id: $id, input: $input) { ${LINE} } }`;
const END = 'mutation Cloture($id: ID!) { endFunding(id: $id) { id } }';
const FUNDERS = 'query Financeurs($contract: String!) { organisations(filter: { contract: $contract }) { id name shortName kind } }';

const funderCache = new Map();

/** The contract's parties and EPCIs (not its communes), by name: who may fund its actions. */
async function contractFunders(contract) {
  if (!funderCache.has(contract)) {
    const request = graphql(FUNDERS, { contract }).then((data) =>
      data.organisations.filter((o) => o.kind !== 'COMMUNE').sort((a, b) => a.name.localeCompare(b.name, 'fr')),
    );
    funderCache.set(contract, request);
    request.catch(() => funderCache.delete(contract));
  }
  return funderCache.get(contract);
}

/** An editor corrects what its organisation declared; an admin anything (src/funding/manual-funding.service.ts). */
export function mayCorrect(viewer, line) {
  if (viewer?.role === 'ADMIN') return true;
  return viewer?.role === 'EDITOR' && !!viewer.organisation && line.source?.declaredBy?.id === viewer.organisation.id;
}

function describeLine(line) {
  return `${line.year}, ${STAGES[line.stage].toLowerCase()}, ${line.funder.name} : ${euros(line.amount)}`;
}

function options(labels, selected) {
  return Object.entries(labels).map(([value, label]) => el('option', { value, selected: value === selected }, label));
}

function selectGroup(id, label, children, hint) {
  return el('div', { class: 'fr-select-group' }, el('label', { class: 'fr-label', for: id }, label, hint ? el('span', { class: 'fr-hint-text' }, hint) : null), el('select', { class: 'fr-select', id, name: id }, children));
}

function inputGroup(id, label, attributes = {}, hint) {
  return el('div', { class: 'fr-input-group' }, el('label', { class: 'fr-label', for: id }, label, hint ? el('span', { class: 'fr-hint-text' }, hint) : null), el('input', { class: 'fr-input', id, name: id, ...attributes }));
}

/** A refusal as the API says it; the field it names, when the form has it, marked too. */
function showRefusal(message, form, fields, title, error) {
  show(message, alert('error', title, error.message));
  for (const one of error.errors ?? []) {
    for (const { field, message: text } of one.extensions?.fields ?? (one.extensions?.field ? [{ field: one.extensions.field, message: one.message }] : [])) {
      const input = form && fields[field] ? form.querySelector(`#${fields[field]}`) : null;
      if (input) setFieldError(input, text);
    }
  }
  message.querySelector('.fr-alert')?.setAttribute('tabindex', '-1');
  message.querySelector('.fr-alert')?.focus();
}

/**
 * The writing part of an action's detail. `done(notice)` is called after a write: the page re-reads the
 * action and the dashboard's figures and shows `notice`.
 * Returns { column, section }: the funding table's « Modifier » column and what to place under the table.
 */
export function fundingEditor({ contract, action, viewer, done }) {
  const message = el('div', { id: 'saisie-message', 'aria-live': 'polite' });
  const panel = el('div', { id: 'saisie-ligne' });

  const closePanel = (focus) => {
    show(panel);
    focus?.focus();
  };

  const correct = (line, button) => {
    const form = el(
      'form',
      { id: 'formulaire-correction', class: 'fr-p-2w fr-mb-2w fr-background-alt--grey', novalidate: true },
      el('p', { class: 'fr-text--bold fr-mb-1w' }, `Corriger la ligne ${describeLine(line)}`),
      inputGroup('correction-montant', 'Nouveau montant en euros', { type: 'text', inputmode: 'decimal', autocomplete: 'off', required: true }, 'Par exemple 12 345,67'),
      el(
        'ul',
        { class: 'fr-btns-group fr-btns-group--inline-sm' },
        el('li', {}, el('button', { class: 'fr-btn', type: 'submit' }, 'Enregistrer la correction')),
        el('li', {}, el('button', { class: 'fr-btn fr-btn--secondary', type: 'button', onclick: () => closePanel(button) }, 'Annuler')),
      ),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      show(message);
      const input = form.querySelector('#correction-montant');
      const amount = parseEuros(input.value);
      if (amount === null) {
        setFieldError(input, `Montant : « ${input.value} » n’est pas un montant en euros (par exemple 12 345,67 ; deux décimales au plus).`);
        input.focus();
        return;
      }
      try {
        const data = await graphql(UPDATE, { id: line.id, input: { amount } });
        await done(`Montant corrigé : ${describeLine({ ...line, amount: data.updateFunding.amount })}.`);
      } catch (error) {
        showRefusal(message, form, { amount: 'correction-montant' }, 'Correction refusée', error);
      }
    });
    show(panel, form);
    form.querySelector('#correction-montant').focus();
  };

  const end = (line, button) => {
    const confirm = el('button', { class: 'fr-btn', type: 'button', id: 'confirmer-cloture' }, 'Confirmer la clôture');
    confirm.addEventListener('click', async () => {
      show(message);
      confirm.disabled = true;
      try {
        await graphql(END, { id: line.id });
        await done(`Ligne close : ${describeLine(line)}. Elle ne compte plus, l’historique la garde.`);
      } catch (error) {
        confirm.disabled = false;
        showRefusal(message, null, {}, 'Clôture refusée', error);
      }
    });
    show(
      panel,
      el(
        'div',
        { class: 'fr-p-2w fr-mb-2w fr-background-alt--grey', role: 'group', 'aria-labelledby': 'cloture-question' },
        el('p', { id: 'cloture-question', class: 'fr-text--bold fr-mb-1w' }, `Clore la ligne ${describeLine(line)} ?`),
        el('p', { class: 'fr-text--sm' }, 'Elle ne comptera plus dans les totaux à partir de maintenant ; l’historique la garde, et l’historique des dépôts peut annuler la clôture.'),
        el('ul', { class: 'fr-btns-group fr-btns-group--inline-sm' }, el('li', {}, confirm), el('li', {}, el('button', { class: 'fr-btn fr-btn--secondary', type: 'button', onclick: () => closePanel(button) }, 'Annuler'))),
      ),
    );
    confirm.focus();
  };

  const column = {
    label: 'Modifier',
    value: (line) => {
      if (!mayCorrect(viewer, line)) return '—';
      const what = describeLine(line);
      const correctButton = el('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--sm', 'data-action': 'corriger', 'data-ligne': line.id, 'aria-label': `Corriger la ligne ${what}` }, 'Corriger');
      const endButton = el('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--sm', 'data-action': 'clore', 'data-ligne': line.id, 'aria-label': `Clore la ligne ${what}` }, 'Clore');
      correctButton.addEventListener('click', () => correct(line, correctButton));
      endButton.addEventListener('click', () => end(line, endButton));
      return el('span', { class: 'crte-actions-ligne' }, correctButton, ' ', endButton);
    },
  };

  const fields = { funder: 'saisie-financeur', stage: 'saisie-etape', year: 'saisie-annee', amount: 'saisie-montant', instrument: 'saisie-nature', creditNature: 'saisie-credits', note: 'saisie-note' };
  const form = el(
    'form',
    { id: 'formulaire-saisie', novalidate: true },
    el(
      'fieldset',
      { class: 'fr-fieldset', 'aria-labelledby': 'saisie-legende' },
      el('legend', { class: 'fr-fieldset__legend', id: 'saisie-legende' }, `Nouvelle ligne de financement de l’action ${action.code}`),
      el('div', { class: 'fr-fieldset__element fr-col-12 fr-col-md-6' }, selectGroup(fields.funder, 'Financeur', [el('option', { value: '' }, 'Chargement…')])),
      el('div', { class: 'fr-fieldset__element fr-col-12 fr-col-md-3' }, selectGroup(fields.stage, 'Étape', options(STAGES, 'PAID'))),
      el('div', { class: 'fr-fieldset__element fr-col-12 fr-col-md-3' }, inputGroup(fields.year, 'Année', { type: 'number', min: '1900', max: '2100', step: '1', value: String(new Date().getFullYear()), required: true })),
      el('div', { class: 'fr-fieldset__element fr-col-12 fr-col-md-4' }, inputGroup(fields.amount, 'Montant en euros', { type: 'text', inputmode: 'decimal', autocomplete: 'off', required: true }, 'Par exemple 12 345,67')),
      el('div', { class: 'fr-fieldset__element fr-col-12 fr-col-md-4' }, selectGroup(fields.instrument, 'Nature du financement', options(INSTRUMENTS, 'SUBSIDY'))),
      el('div', { class: 'fr-fieldset__element fr-col-12 fr-col-md-4' }, selectGroup(fields.creditNature, 'Nature des crédits (facultatif)', [el('option', { value: '' }, 'Non précisée'), options(CREDIT_NATURES)])),
      el('div', { class: 'fr-fieldset__element' }, inputGroup(fields.note, 'Note (facultatif)', { type: 'text', maxlength: '200', autocomplete: 'off' }, 'Pourquoi cette saisie : elle reste dans l’historique')),
      el('div', { class: 'fr-fieldset__element' }, el('button', { class: 'fr-btn', type: 'submit' }, 'Enregistrer le montant')),
    ),
  );

  const funderSelect = form.querySelector(`#${fields.funder}`);
  contractFunders(contract)
    .then((funders) => {
      // An editor declares any funder's money on the actions its organisation leads, else only its own.
      const own = viewer.organisation?.id;
      const allowed = viewer.role === 'ADMIN' || action.lead?.id === own ? funders : funders.filter((o) => o.id === own);
      show(funderSelect, el('option', { value: '' }, 'Choisir un financeur'), allowed.map((o) => el('option', { value: o.id }, o.shortName && o.shortName !== o.name ? `${o.name} (${o.shortName})` : o.name)));
    })
    .catch((error) => show(message, alert('error', 'Les financeurs n’ont pas pu être chargés', error.message)));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    show(message);
    const value = (field) => form.querySelector(`#${fields[field]}`).value.trim();
    const problems = [];
    const amount = parseEuros(value('amount'));
    if (!value('funder')) problems.push(['funder', 'Financeur : choisissez l’organisation qui apporte ce montant.']);
    if (!/^\d{4}$/.test(value('year'))) problems.push(['year', `Année : « ${value('year')} » n’est pas une année (quatre chiffres).`]);
    if (amount === null) problems.push(['amount', `Montant : « ${value('amount')} » n’est pas un montant en euros (par exemple 12 345,67 ; deux décimales au plus).`]);
    if (problems.length) {
      for (const [field, text] of problems) setFieldError(form.querySelector(`#${fields[field]}`), text);
      form.querySelector(`#${fields[problems[0][0]]}`).focus();
      return;
    }
    const input = { contract, action: action.code, funder: value('funder'), stage: value('stage'), year: Number(value('year')), amount, instrument: value('instrument'), creditNature: value('creditNature') || null, note: value('note') || null };
    try {
      const data = await graphql(CREATE, { input });
      await done(`Montant enregistré : ${euros(data.createFunding.amount)}, ${STAGES[data.createFunding.stage].toLowerCase()} en ${data.createFunding.year}.`);
    } catch (error) {
      showRefusal(message, form, fields, 'Saisie refusée', error);
    }
  });

  const section = el('section', { class: 'fr-mb-3w', 'aria-labelledby': 'saisie-titre', 'data-testid': 'saisie' }, el('h2', { class: 'fr-h5', id: 'saisie-titre' }, 'Enregistrer un montant'), form);
  // The answer and the line's correction or closure right under the table, then the new amount's form.
  return { column, section: [message, panel, section] };
}
