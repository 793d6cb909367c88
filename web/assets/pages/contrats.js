// The contracts (issue 16): the list (code, name, period, communes of the perimeter) and, for an admin,
// « Nouveau contrat » through createContract. The browser checks what it can (9-digit SIRENs, years); the
// API decides, and its French errors are shown under the field each one names.
import { alert, clearFieldErrors, el, graphql, me, setFieldError, show, table } from '/assets/app.js';

const LIST = '{ contracts { code name startYear endYear communes { id } } }';
const CREATE = 'mutation NouveauContrat($input: ContractInput!) { createContract(input: $input) { code name communes { id } } }';

/** The API's field names → the form's inputs. */
const FIELDS = { code: 'contrat-code', name: 'contrat-nom', fromYear: 'contrat-debut', toYear: 'contrat-fin', signedOn: 'contrat-signature', epcis: 'contrat-epcis', signatories: 'contrat-signataires', partners: 'contrat-partenaires' };

const $ = (id) => document.getElementById(id);
const dashboardLink = (code) => `/tableau-de-bord?contrat=${encodeURIComponent(code)}`;

async function loadList() {
  const block = $('liste-contrats');
  block.dataset.etat = 'chargement';
  try {
    const { contracts } = await graphql(LIST);
    show(
      block,
      table(
        `Contrats suivis (${contracts.length})`,
        [
          { label: 'Code', value: (row) => el('a', { href: dashboardLink(row.code), 'data-testid': 'contrat-code' }, row.code) },
          { label: 'Nom', wrap: true, value: (row) => row.name },
          { label: 'Période', value: (row) => `${row.startYear}–${row.endYear}` },
          { label: 'Communes', numeric: true, value: (row) => el('span', { 'data-testid': `contrat-${row.code}-communes` }, String(row.communes.length)) },
        ],
        contracts,
        { id: 'tableau-contrats', emptyText: 'Aucun contrat pour l’instant.' },
      ),
    );
    block.dataset.etat = 'pret';
  } catch (error) {
    show(block, alert('error', 'Les contrats n’ont pas pu être chargés', error.message));
    block.dataset.etat = 'erreur';
  }
}

/** Lines, commas or spaces between SIRENs; lines only between names (a name has spaces). */
const sirens = (text) => text.split(/[\s,;]+/).map((one) => one.trim()).filter(Boolean);
const orNull = (list) => (list.length ? list : null);
const lines = (text) => text.split(/\n/).map((one) => one.trim()).filter(Boolean);

/** What the browser can check before asking: [field, message] in the API's words. */
function check(input) {
  const problems = [];
  if (!input.code) problems.push(['code', 'Code du contrat (code) : obligatoire.']);
  if (!input.name) problems.push(['name', 'Nom du contrat (name) : obligatoire.']);
  for (const [field, label] of [['fromYear', 'Première année (fromYear)'], ['toYear', 'Dernière année (toYear)']]) {
    if (!Number.isInteger(input[field]) || input[field] < 1900 || input[field] > 2100) problems.push([field, `${label} : une année de quatre chiffres est attendue.`]);
  }
  if (!problems.some(([field]) => field === 'toYear' || field === 'fromYear') && input.toYear < input.fromYear) problems.push(['toYear', 'La période doit aller d’une année à une année égale ou postérieure.']);
  if (!input.epcis.length) problems.push(['epcis', 'Périmètre (epcis) : indiquez au moins un EPCI par son SIREN.']);
  const wrong = input.epcis.filter((siren) => !/^\d{9}$/.test(siren));
  if (wrong.length) problems.push(['epcis', `Périmètre (epcis) : ${wrong.map((siren) => `« ${siren} »`).join(', ')} n’${wrong.length > 1 ? 'en sont' : 'est'} pas un SIREN (9 chiffres).`]);
  return problems;
}

function showProblems(form, problems) {
  const byField = new Map();
  for (const [field, message] of problems) byField.set(field, [...(byField.get(field) ?? []), message]);
  for (const [field, messages] of byField) if (FIELDS[field]) setFieldError($(FIELDS[field]), messages.join(' '));
  const first = problems.find(([field]) => FIELDS[field]);
  if (first) $(FIELDS[first[0]]).focus();
}

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  const result = $('resultat-contrat');
  clearFieldErrors(form);
  show(result);
  const year = (id) => ($(id).value.trim() === '' ? NaN : Number($(id).value));
  const input = {
    code: $('contrat-code').value.trim(),
    name: $('contrat-nom').value.trim(),
    fromYear: year('contrat-debut'),
    toYear: year('contrat-fin'),
    epcis: sirens($('contrat-epcis').value),
    signatories: orNull(lines($('contrat-signataires').value)),
    partners: orNull(lines($('contrat-partenaires').value)),
    signedOn: $('contrat-signature').value || null,
  };
  const problems = check(input);
  if (problems.length) {
    show(result, alert('error', 'Le contrat n’est pas créé', `${problems.length} champ${problems.length > 1 ? 's' : ''} à corriger : voir sous chacun.`));
    showProblems(form, problems);
    return;
  }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const { createContract: created } = await graphql(CREATE, { input });
    const done = alert('success', `Contrat ${created.code} créé`, `${created.name} : ${created.communes.length} communes dans son périmètre.`);
    done.append(el('p', {}, el('a', { href: dashboardLink(created.code), 'data-testid': 'lien-nouveau-contrat' }, `Ouvrir le tableau de bord du contrat ${created.code}`)));
    done.setAttribute('tabindex', '-1');
    show(result, done);
    form.reset();
    done.focus();
    await loadList();
  } catch (error) {
    // Field errors (BAD_USER_INPUT) come with extensions.fields; a refusal (FORBIDDEN…) has none.
    const fields = (error.errors ?? []).flatMap((one) => one.extensions?.fields ?? (one.extensions?.field ? [{ field: one.extensions.field, message: one.message }] : []));
    show(result, alert('error', 'Le contrat n’est pas créé', fields.length ? `${fields.length} champ${fields.length > 1 ? 's' : ''} à corriger : voir sous chacun.` : error.message));
    if (fields.length) showProblems(form, fields.map(({ field, message }) => [field, message]));
    else result.querySelector('.fr-alert')?.focus();
  } finally {
    button.disabled = false;
  }
}

async function start() {
  const viewer = await me().catch(() => null);
  // Creating a contract is an admin's (the API refuses anyone else).
  $('nouveau-contrat').hidden = viewer?.role !== 'ADMIN';
  await loadList();
}

$('formulaire-contrat').addEventListener('submit', submit);
document.addEventListener('crte:token', () => start());
start();
