// The upload page: a partner's file goes through POST /api/imports as a preview (dryRun), the page shows
// what the API read (lines with their cells, totals, issues), then the batch is applied or abandoned.
// Every figure is the API's own: amounts are its exact decimal strings, sums are BigInt cents.
import { alert, callApi, cents, centsToDecimal, contracts, currentToken, download, el, euros, graphql, me, show, table, uploadWithProgress } from '/assets/app.js';
import { frenchLabel } from '/assets/labels.js';

const TEMPLATE_KINDS = ['annex3', 'annex2', 'dotations', 'indicators'];
const STAGE_ORDER = ['PLANNED', 'REQUESTED', 'GRANTED', 'PAID'];
// Labels: the kernel's one table (/assets/labels.js); colour only repeats the word.
const SEVERITY_BADGES = { ERROR: 'fr-badge--error', WARNING: 'fr-badge--warning', NOTE: 'fr-badge--info' };
/** Form fields named by the API's refusals (`field`), and the group each one's message goes under. */
const FIELDS = {
  contract: { input: 'depot-contrat', group: 'groupe-contract', errorClass: 'fr-select-group--error' },
  kind: { input: 'depot-nature', group: 'groupe-kind', errorClass: 'fr-select-group--error' },
  source: { input: 'depot-source', group: 'groupe-source', errorClass: 'fr-select-group--error' },
  year: { input: 'depot-annee', group: 'groupe-year', errorClass: 'fr-input-group--error' },
  programme: { input: 'depot-programme', group: 'groupe-programme', errorClass: 'fr-input-group--error' },
  file: { input: 'depot-fichier', group: 'groupe-file', errorClass: 'fr-upload-group--error' },
};
const LINES_PER_PAGE = 50;

const $ = (id) => document.getElementById(id);

const state = {
  identity: null,
  /** The last preview: the API's answer plus what was sent. */
  preview: null,
  fileName: '',
  kind: '',
  linesPage: 0,
  busy: false,
};

// ---------------------------------------------------------------------------------------------------
// The form: who may deposit, contracts, sources
// ---------------------------------------------------------------------------------------------------

async function init() {
  wireForm();
  try {
    // The contracts the token may see (all without a token); the one in the address (?contrat=CODE), else the first.
    const list = await contracts();
    const wanted = new URLSearchParams(location.search).get('contrat');
    const chosen = list.some((contract) => contract.code === wanted) ? wanted : list[0]?.code;
    show(
      'depot-contrat',
      list.length ? null : el('option', { value: '' }, 'Aucun contrat chargé'),
      list.map((contract) => el('option', { value: contract.code, selected: contract.code === chosen }, `${contract.name} (${contract.code}, ${contract.startYear}–${contract.endYear})`)),
    );
  } catch (error) {
    show('depot-message', alert('error', 'Les contrats n’ont pas pu être chargés', error.message));
    return;
  }
  updateTemplateLink();
  await refreshIdentity();
}

/** Who holds the token decides whether the form is usable and which sources it offers. */
async function refreshIdentity() {
  const notice = $('depot-jeton');
  state.identity = null;
  if (!currentToken()) {
    show(notice, alert('info', 'Un jeton d’accès est nécessaire pour déposer un fichier', 'Sans jeton, vous pouvez consulter les données mais pas déposer. Enregistrez le jeton que l’administrateur du contrat vous a donné avec le bouton « Jeton d’accès » en haut de la page.'));
    setFormEnabled(false);
    await loadSources();
    return;
  }
  try {
    state.identity = await me();
  } catch (error) {
    show(notice, alert('error', 'Ce jeton est refusé', `${error.message} Enregistrez un autre jeton avec le bouton « Jeton d’accès » en haut de la page.`));
    setFormEnabled(false);
    await loadSources();
    return;
  }
  const who = state.identity;
  if (!who || who.role === 'READER') {
    show(notice, alert('info', 'Votre jeton ne permet pas de déposer', `Le jeton « ${who?.name ?? ''} » est un jeton de lecture : il permet de consulter, pas de déposer un fichier.`));
    setFormEnabled(false);
  } else if (who.role === 'EDITOR' && !who.organisation) {
    show(notice, alert('info', 'Votre jeton ne permet pas de déposer', `Le jeton d’éditeur « ${who.name} » n’est rattaché à aucune organisation : il ne peut rien déposer.`));
    setFormEnabled(false);
  } else if (who.role === 'EDITOR') {
    show(notice, el('p', { class: 'fr-text--sm' }, `Jeton de « ${who.name} » : vous déposez les fichiers de ${who.organisation.name}, et de cette seule organisation.`));
    setFormEnabled(true);
  } else {
    show(notice, el('p', { class: 'fr-text--sm' }, `Jeton administrateur de « ${who.name} » : vous pouvez déposer le fichier de n’importe quelle organisation du contrat.`));
    setFormEnabled(true);
  }
  await loadSources();
}

function setFormEnabled(enabled) {
  $('depot-champs').disabled = !enabled;
}

function organisationLabel(organisation) {
  return organisation.shortName && organisation.shortName !== organisation.name ? `${organisation.name} (${organisation.shortName})` : organisation.name;
}

/** The contract's organisations, grouped by their part in it; an editor gets its own, locked. */
async function loadSources() {
  const select = $('depot-source');
  const who = state.identity;
  if (who?.role === 'EDITOR' && who.organisation) {
    show(select, el('option', { value: who.organisation.id, selected: true }, organisationLabel(who.organisation)));
    select.disabled = true;
    select.setAttribute('aria-describedby', 'depot-source-verrou');
    $('depot-source-verrou')?.remove();
    select.after(el('p', { class: 'fr-hint-text fr-mt-1w', id: 'depot-source-verrou' }, 'Votre jeton d’éditeur ne permet de déposer que les fichiers de votre organisation.'));
    return;
  }
  select.disabled = false;
  select.removeAttribute('aria-describedby');
  $('depot-source-verrou')?.remove();
  const code = $('depot-contrat').value;
  if (!code) return void show(select, el('option', { value: '' }, 'Choisissez d’abord un contrat'));
  const field = 'id name shortName';
  const data = await graphql(`query Sources($code: String!) { contract(code: $code) { signatories { ${field} } partners { ${field} } perimeter { ${field} } communes { ${field} } } }`, { code });
  const contract = data.contract;
  if (!contract) return void show(select, el('option', { value: '' }, 'Contrat introuvable'));
  const seen = new Set();
  const group = (label, organisations) => {
    const fresh = organisations.filter((organisation) => !seen.has(organisation.id) && seen.add(organisation.id));
    if (!fresh.length) return null;
    fresh.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    return el('optgroup', { label }, fresh.map((organisation) => el('option', { value: organisation.id }, organisationLabel(organisation))));
  };
  const previous = select.value;
  show(
    select,
    el('option', { value: '' }, '— Choisissez l’organisation —'),
    group('Signataires', contract.signatories),
    group('Partenaires', contract.partners),
    group('EPCI du périmètre', contract.perimeter),
    group('Communes du périmètre', contract.communes),
  );
  if (previous && [...select.options].some((option) => option.value === previous)) select.value = previous;
}

function updateTemplateLink() {
  const kind = $('depot-nature').value;
  const contract = $('depot-contrat').value;
  if (!TEMPLATE_KINDS.includes(kind)) {
    show('depot-modele', el('span', { class: 'fr-text--sm' }, 'Pas de modèle pour cette nature : déposez la liste telle que l’État la publie.'));
    return;
  }
  const href = `/api/templates/${kind}.xlsx${contract ? `?contract=${encodeURIComponent(contract)}` : ''}`;
  show('depot-modele', el('a', { class: 'fr-link fr-link--sm fr-icon-download-line fr-link--icon-left', href, download: '' }, `Télécharger le modèle vide (${frenchLabel('ImportKind', kind)}, xlsx)`));
}

function wireForm() {
  $('depot-formulaire').addEventListener('submit', (event) => {
    event.preventDefault();
    submitPreview();
  });
  $('depot-contrat').addEventListener('change', () => {
    // Kept in the address, so that a link or a reload deposits to the same contract.
    const url = new URL(location.href);
    url.searchParams.set('contrat', $('depot-contrat').value);
    history.replaceState(null, '', url);
    updateTemplateLink();
    loadSources().catch((error) => show('depot-message', alert('error', 'Les organisations n’ont pas pu être chargées', error.message)));
  });
  $('depot-nature').addEventListener('change', updateTemplateLink);
  const input = $('depot-fichier');
  input.addEventListener('change', describeChosenFile);

  // Drag and drop: the dropped file becomes the input's own, so the keyboard path and this one are the same.
  const zone = $('depot-zone');
  const highlight = (on) => {
    zone.style.background = on ? 'var(--background-alt-blue-france)' : '';
  };
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    if ($('depot-champs').disabled) return;
    event.dataTransfer.dropEffect = 'copy';
    highlight(true);
  });
  zone.addEventListener('dragleave', () => highlight(false));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    highlight(false);
    if ($('depot-champs').disabled || !event.dataTransfer?.files?.length) return;
    const transfer = new DataTransfer();
    transfer.items.add(event.dataTransfer.files[0]);
    input.files = transfer.files;
    describeChosenFile();
  });
  document.addEventListener('crte:token', () => {
    refreshIdentity().catch((error) => show('depot-message', alert('error', 'Le jeton n’a pas pu être vérifié', error.message)));
  });
}

function describeChosenFile() {
  const file = $('depot-fichier').files[0];
  show('depot-fichier-choisi', file ? `Fichier choisi : ${file.name} (${sizeText(file.size)})` : '');
  clearFieldError('file');
}

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} octets`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 0 })} ko`;
  return `${(bytes / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

// ---------------------------------------------------------------------------------------------------
// Errors next to the field the API names
// ---------------------------------------------------------------------------------------------------

function clearFieldError(field) {
  const spec = FIELDS[field];
  if (!spec) return;
  $(spec.group)?.classList.remove(spec.errorClass);
  $(`erreur-${field}`)?.remove();
  $(spec.input)?.removeAttribute('aria-invalid');
}

function clearErrors() {
  for (const field of Object.keys(FIELDS)) clearFieldError(field);
  show('depot-message');
}

/** The refusal's French message in an alert under the field it names, or under the form. */
function showRefusal(title, message, field) {
  const spec = FIELDS[field];
  if (!spec) {
    show('depot-message', alert('error', title, message));
    return;
  }
  const group = $(spec.group);
  group.classList.add(spec.errorClass);
  const box = alert('error', title, message);
  box.id = `erreur-${field}`;
  box.classList.add('fr-mt-1w');
  group.after(box);
  const input = $(spec.input);
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', `erreur-${field}`);
  if (!input.disabled) input.focus();
}

// ---------------------------------------------------------------------------------------------------
// Preview
// ---------------------------------------------------------------------------------------------------

async function submitPreview() {
  if (state.busy) return;
  clearErrors();
  const file = $('depot-fichier').files[0];
  const contract = $('depot-contrat').value;
  const source = $('depot-source').value;
  if (!contract) return showRefusal('Contrat manquant', 'Choisissez le contrat auquel le fichier se rapporte.', 'contract');
  if (!source) return showRefusal('Organisation manquante', 'Choisissez l’organisation qui envoie le fichier.', 'source');
  if (!file) return showRefusal('Fichier manquant', 'Choisissez le fichier à déposer, ou glissez-le dans le cadre.', 'file');

  const form = new FormData();
  form.append('contract', contract);
  form.append('kind', $('depot-nature').value);
  form.append('source', source);
  const year = $('depot-annee').value.trim();
  if (year) form.append('year', year);
  const programme = $('depot-programme').value.trim();
  if (programme) form.append('programme', programme);
  form.append('dryRun', 'true');
  // The file last: the server checks the fields before reading it.
  form.append('file', file, file.name);

  const button = $('depot-previsualiser');
  state.busy = true;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  showProgress(1, `Envoi de « ${file.name} »`, 0, file.size);
  let response;
  try {
    response = await uploadWithProgress('/api/imports', form, (sent, total, done) => {
      if (done) showProgress(2, `« ${file.name} » reçu : lecture des feuilles et contrôle de chaque ligne`, null, total);
      else showProgress(1, `Envoi de « ${file.name} »`, sent, total);
    });
  } catch (error) {
    response = { status: 0, body: { error: `Le serveur n’a pas répondu (${error.message}).` } };
  } finally {
    state.busy = false;
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
  show('depot-message');
  if ((response.status === 200 || response.status === 422) && response.body && typeof response.body === 'object' && 'batchId' in response.body) {
    state.preview = response.body;
    state.fileName = file.name;
    state.kind = $('depot-nature').value;
    state.linesPage = 0;
    renderPreview();
    return;
  }
  const body = typeof response.body === 'object' && response.body ? response.body : {};
  const titles = { 400: 'Dépôt refusé', 401: 'Jeton manquant ou refusé', 403: 'Dépôt non autorisé', 413: 'Fichier trop volumineux' };
  showRefusal(titles[response.status] || 'Le dépôt a échoué', body.error || `Le serveur a répondu ${response.status}.`, body.field);
}

/** Errors first, then by sheet, row and column: the order in which a partner walks the file. */
function sortIssues(issues) {
  const rowOf = (cell) => Number(/\d+$/.exec(cell || '')?.[0] || 0);
  const colOf = (cell) => [...(/^[A-Z]+/.exec(cell || '')?.[0] || '')].reduce((col, letter) => col * 26 + letter.charCodeAt(0) - 64, 0);
  const rank = (issue) => (issue.severity === 'ERROR' ? 0 : issue.severity === 'WARNING' ? 1 : 2);
  return [...issues].sort((a, b) => rank(a) - rank(b) || (a.sheet ?? '').localeCompare(b.sheet ?? '') || rowOf(a.cell) - rowOf(b.cell) || colOf(a.cell) - colOf(b.cell));
}

function place(sheet, cell) {
  if (!sheet && !cell) return 'Tout le fichier';
  return sheet && cell ? `${sheet}!${cell}` : sheet || cell;
}

function statusBadge(status, partial = false) {
  if (status === 'APPLIED' && partial) return el('p', { class: 'fr-badge fr-badge--warning', id: 'depot-statut' }, 'Appliqué partiellement : lignes en erreur laissées de côté');
  const badges = {
    PREVIEWED: ['fr-badge--success', 'Aperçu prêt à appliquer'],
    REJECTED: ['fr-badge--error', 'Rejeté : erreurs à corriger'],
    APPLIED: ['fr-badge--success', 'Appliqué'],
    UNCHANGED: ['fr-badge--info', 'Inchangé'],
    ABANDONED: ['fr-badge--new', 'Abandonné'],
  };
  const [kind, label] = badges[status] || ['', status];
  return el('p', { class: `fr-badge ${kind}`, id: 'depot-statut' }, label);
}

/** A two-column table of figures, each row headed by its label. */
function figuresTable(caption, rows) {
  return el(
    'div',
    { class: 'fr-table fr-table--no-caption crte-table', id: 'depot-synthese' },
    el(
      'div',
      { class: 'fr-table__wrapper' },
      el(
        'div',
        { class: 'fr-table__container' },
        el(
          'div',
          { class: 'fr-table__content' },
          el(
            'table',
            {},
            el('caption', {}, caption),
            el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Élément'), el('th', { scope: 'col', class: 'crte-num' }, 'Valeur'))),
            el('tbody', {}, rows.map(([label, value]) => el('tr', {}, el('th', { scope: 'row', class: 'fr-cell--multiline' }, label), el('td', { class: 'crte-num fr-cell--multiline' }, value)))),
          ),
        ),
      ),
    ),
  );
}

function renderPreview() {
  const preview = state.preview;
  const counts = preview.counts;
  const hasErrors = counts.errors > 0 || preview.status === 'REJECTED';

  // Sums by stage from the lines' exact strings: stages are never added together in the contract's figures.
  const byStage = new Map();
  for (const line of preview.lines) byStage.set(line.stage, (byStage.get(line.stage) ?? 0n) + cents(line.amount));
  const stageRows = byStage.size > 1 ? STAGE_ORDER.filter((stage) => byStage.has(stage)).map((stage) => [`Total lu à l’étape « ${frenchLabel('FundingStage', stage)} »`, euros(centsToDecimal(byStage.get(stage)))]) : [];

  const figures = [
    ['Disposition reconnue', preview.layout ? `${frenchLabel('Layout', preview.layout)} (${preview.layout})` : 'non reconnue'],
    ['Lignes lues', String(counts.lines)],
    counts.measures !== undefined ? ['Mesures lues', String(counts.measures)] : null,
    counts.indicators !== undefined ? ['Indicateurs lus', String(counts.indicators)] : null,
    counts.outsidePerimeter !== undefined ? ['Lignes hors du périmètre, laissées de côté', String(counts.outsidePerimeter)] : null,
    ['Erreurs', String(counts.errors)],
    ['Avertissements', String(counts.warnings)],
    counts.notes ? ['Notes (ce que l’import a compris seul)', String(counts.notes)] : null,
    // A plan (kind `plan`): the contract's structure it gives, and its fiches' budget.
    counts.axes !== undefined ? ['Axes (dont à créer)', `${counts.axes} (${counts.newAxes})`] : null,
    counts.orientations !== undefined ? ['Orientations et sous-orientations (dont à créer)', `${counts.orientations} (${counts.newOrientations})`] : null,
    counts.renamed ? ['Intitulés d’axes ou d’orientations modifiés', String(counts.renamed)] : null,
    counts.actions !== undefined ? ['Fiches actions', String(counts.actions)] : null,
    preview.budget !== undefined ? ['Budget prévisionnel total des fiches', euros(preview.budget)] : null,
    ['Actions à créer', String(counts.newActions)],
    ['Organisations à créer', String(counts.newOrganisations)],
    [state.kind === 'annex2' ? 'Total des aides lues (hors investissements soutenus)' : 'Total des montants lus', euros(preview.total)],
    ...stageRows,
  ].filter(Boolean);

  const leftOut = hasErrors ? rowsLeftOut(preview) : null;
  const applyHelp = hasErrors
    ? el(
        'p',
        { id: 'depot-appliquer-aide', class: 'fr-text--sm' },
        `« Appliquer » est impossible tant que le fichier contient des erreurs (${counts.errors}) : corrigez les cellules indiquées ci-dessous dans le fichier, puis déposez-le à nouveau${leftOut ? ', ou appliquez-le sans les lignes en erreur (ci-dessous)' : ''}.`,
      )
    : el('p', { id: 'depot-appliquer-aide', class: 'fr-text--sm' }, 'Appliquer enregistre ces lignes : elles remplacent celles du fichier précédent de cette organisation pour les mêmes financeurs et années. Un lot appliqué peut être annulé depuis l’historique.');

  const applyButton = el('button', { type: 'button', class: 'fr-btn', id: 'depot-appliquer', disabled: hasErrors, 'aria-describedby': 'depot-appliquer-aide', onclick: applyPreview }, 'Appliquer');
  const abandonButton = el('button', { type: 'button', class: 'fr-btn fr-btn--secondary', id: 'depot-abandonner', onclick: abandonPreview }, 'Abandonner');
  const issuesCount = preview.issues.length;
  // CSV « à la française » first (« ; », BOM): French Excel opens it in columns, accents intact.
  const downloadButtons = issuesCount
    ? [
        el('button', { type: 'button', class: 'fr-btn fr-btn--tertiary', id: 'depot-telecharger', onclick: () => downloadIssues('csv?format=fr') }, 'Télécharger les anomalies (CSV pour Excel)'),
        el('button', { type: 'button', class: 'fr-btn fr-btn--tertiary', id: 'depot-telecharger-xlsx', onclick: () => downloadIssues('xlsx') }, 'Télécharger les anomalies (xlsx)'),
      ]
    : [];

  show(
    'depot-apercu',
    el(
      'div',
      { class: 'fr-mb-2w' },
      statusBadge(preview.status),
      el('p', { class: 'fr-mt-1w', id: 'depot-apercu-intro' }, `Fichier « ${state.fileName} » (${frenchLabel('ImportKind', state.kind)}), lot n° ${preview.batchId}. Rien n’a encore changé dans les données du contrat.`),
    ),
    hasErrors ? alert('error', `Le fichier contient ${counts.errors} erreur${counts.errors > 1 ? 's' : ''}`, 'Il ne peut pas être appliqué tel quel. Chaque erreur est listée ci-dessous avec sa cellule et le texte lu.') : null,
    figuresTable('Synthèse de l’aperçu', figures),
    applyHelp,
    el('ul', { class: 'fr-btns-group fr-btns-group--inline-md' }, el('li', {}, applyButton), el('li', {}, abandonButton), ...downloadButtons.map((button) => el('li', {}, button))),
    leftOut ? partialBlock(leftOut) : null,
    correctionBlock(preview),
    el('div', { id: 'depot-action-message', 'aria-live': 'polite' }),
    el('h3', { class: 'fr-h5', id: 'depot-anomalies-titre' }, `Anomalies (${issuesCount})`),
    issuesTable(preview.issues),
    el('h3', { class: 'fr-h5', id: 'depot-lignes-titre' }, `Lignes lues (${preview.lines.length})`),
    el('div', { id: 'depot-lignes' }),
  );
  renderLines();
  $('depot-etape-apercu').hidden = false;
  $('depot-etape-formulaire').hidden = true;
  show('depot-apercu-titre', '2. Aperçu');
  $('depot-apercu-titre').focus();
}

/**
 * The rows an apply with `allowPartial` leaves out, by the server's rule (apply-batch.ts, rowsWithErrors):
 * every row of a sheet that holds an ERROR at one of its cells; what was read on those rows is not written.
 * Offered only when each error has its cell: an error of the whole file (no layout, no data) leaves
 * nothing to apply. Sums are BigInt cents of the API's exact strings.
 */
function rowsLeftOut(preview) {
  const errors = preview.issues.filter((issue) => issue.severity === 'ERROR');
  if (!errors.length || errors.some((issue) => !issue.sheet || !/\d+$/.test(issue.cell || '')) || !preview.lines.length) return null;
  const rowOf = (cell) => Number(/\d+$/.exec(cell)[0]);
  const rows = new Map();
  for (const issue of sortIssues(errors)) {
    const key = `${issue.sheet}\u0000${rowOf(issue.cell)}`;
    if (!rows.has(key)) rows.set(key, { sheet: issue.sheet, row: rowOf(issue.cell), issues: [] });
    rows.get(key).issues.push(issue);
  }
  const lines = preview.lines.filter((line) => line.sheet && line.cell && rows.has(`${line.sheet}\u0000${rowOf(line.cell)}`));
  // Annex 2: the State's aid and the investment it supports are never added together.
  const sum = (kept) => lines.filter(kept).reduce((total, line) => total + cents(line.amount), 0n);
  const aid = sum((line) => line.measureAmountKind !== 'INVESTMENT');
  const investment = sum((line) => line.measureAmountKind === 'INVESTMENT');
  return { rows: [...rows.values()], lines, aid, investment };
}

function plural(count, singular, pluralForm = `${singular}s`) {
  return `${count} ${count > 1 ? pluralForm : singular}`;
}

/** What leaving the rows out costs, in one sentence: rows, amounts read on them and their sum. */
function leftOutSummary(leftOut) {
  const amounts = leftOut.lines.length
    ? `${plural(leftOut.lines.length, 'montant lu')} sur ces lignes, ${euros(centsToDecimal(leftOut.aid))}${state.kind === 'annex2' ? ' d’aides' : ''}${leftOut.investment ? ` et ${euros(centsToDecimal(leftOut.investment))} d’investissements soutenus` : ''}`
    : 'aucun montant lu sur ces lignes';
  return `${plural(leftOut.rows.length, 'ligne')} du fichier ${leftOut.rows.length > 1 ? 'seront laissées' : 'sera laissée'} de côté (${amounts}) ; les autres seront appliquées, et le lot sera marqué « appliqué partiellement ».`;
}

function partialBlock(leftOut) {
  const rowsTable = wrapColumns(
    table(
      `Lignes qui seront laissées de côté (${leftOut.rows.length})`,
      [
        { label: 'Feuille', value: (row) => row.sheet },
        { label: 'Ligne', value: (row) => String(row.row) },
        { label: 'Cellule', value: (row) => row.issues.map((issue) => issue.cell).join(', ') },
        { label: 'Erreur', value: (row) => el('div', {}, row.issues.map((issue) => el('p', { class: 'fr-mb-0' }, issue.message))) },
      ],
      leftOut.rows,
      { id: 'depot-lignes-exclues' },
    ),
    { 4: 24 },
  );
  return el(
    'section',
    { class: 'fr-mb-3w', id: 'depot-partiel' },
    el('h3', { class: 'fr-h5' }, 'Appliquer sans les lignes en erreur'),
    el('p', { class: 'fr-text--sm' }, 'Les lignes ci-dessous contiennent une erreur : elles peuvent être laissées de côté, et le reste du fichier appliqué. Corrigez-les ensuite dans le fichier et déposez-le à nouveau.'),
    rowsTable,
    el('button', { type: 'button', class: 'fr-btn fr-btn--secondary', id: 'depot-appliquer-partiel', onclick: () => confirmPartial(leftOut) }, 'Appliquer sans les lignes en erreur'),
    el('div', { id: 'depot-confirmation-partielle' }),
  );
}

function confirmPartial(leftOut) {
  show(
    'depot-confirmation-partielle',
    el(
      'div',
      { class: 'fr-alert fr-alert--warning fr-alert--sm fr-mt-2w', role: 'alertdialog', 'aria-labelledby': 'depot-confirmation-titre' },
      el('h4', { class: 'fr-alert__title', id: 'depot-confirmation-titre' }, 'Confirmer l’application partielle'),
      el('p', { id: 'depot-confirmation-texte' }, leftOutSummary(leftOut)),
      el(
        'ul',
        { class: 'fr-btns-group fr-btns-group--inline-sm fr-mt-1w' },
        el('li', {}, el('button', { type: 'button', class: 'fr-btn fr-btn--sm', id: 'depot-confirmer-partiel', onclick: () => applyPreview(true) }, 'Confirmer : appliquer sans ces lignes')),
        el('li', {}, el('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary', onclick: () => show('depot-confirmation-partielle') }, 'Annuler')),
      ),
    ),
  );
  $('depot-confirmer-partiel').focus();
}

/**
 * A doubtful cell (an error or a warning at a cell) read as the person says it should be: POST
 * /api/imports/:id/corrections keeps the file's text beside the reading and who gave it, checks the file
 * again with it and answers the new preview; applying reads the same correction. The file is not changed.
 */
function correctionBlock(preview) {
  const doubtful = sortIssues(preview.issues.filter((issue) => (issue.severity === 'ERROR' || issue.severity === 'WARNING') && issue.sheet && issue.cell));
  const corrections = preview.corrections || [];
  if (!doubtful.length && !corrections.length) return null;
  const places = [...new Map(doubtful.map((issue) => [`${issue.sheet}!${issue.cell}`, issue])).values()];
  const select = el('select', { class: 'fr-select', id: 'depot-correction-cellule', onchange: () => ($('depot-correction-valeur').value = places[Number(select.value)]?.value ?? '') },
    places.map((issue, index) => el('option', { value: String(index) }, `${place(issue.sheet, issue.cell)} — ${frenchLabel('IssueSeverity', issue.severity)} — ${issue.value ?? ''}`.slice(0, 120))));
  return el(
    'section',
    { class: 'fr-mb-3w', id: 'depot-correction' },
    el('h3', { class: 'fr-h5' }, 'Corriger la lecture d’une cellule'),
    corrections.length
      ? table(
          `Cellules relues (${corrections.length}) : le fichier reste tel qu’envoyé, la lecture corrigée est appliquée`,
          [
            { label: 'Cellule', value: (c) => place(c.sheet, c.cell) },
            { label: 'Texte du fichier', value: (c) => el('code', {}, c.rawValue ?? '—') },
            { label: 'Lecture corrigée', value: (c) => el('code', {}, c.correctedValue) },
            { label: 'Par', value: (c) => c.correctedBy },
          ],
          corrections,
          { id: 'depot-corrections' },
        )
      : null,
    places.length
      ? el(
          'form',
          { id: 'depot-correction-formulaire', onsubmit: (event) => { event.preventDefault(); submitCorrection(places[Number(select.value)]); } },
          el('div', { class: 'fr-select-group' }, el('label', { class: 'fr-label', for: 'depot-correction-cellule' }, 'Cellule douteuse'), select),
          el(
            'div',
            { class: 'fr-input-group' },
            el('label', { class: 'fr-label', for: 'depot-correction-valeur' }, 'Lecture corrigée', el('span', { class: 'fr-hint-text' }, 'Le texte à lire à la place de celui du fichier, par exemple « 1 050 000 € ». Votre nom est enregistré avec la correction.')),
            el('input', { class: 'fr-input', id: 'depot-correction-valeur', type: 'text', maxlength: '500', value: places[0].value ?? '' }),
          ),
          el('button', { type: 'submit', class: 'fr-btn fr-btn--secondary', id: 'depot-corriger' }, 'Enregistrer la correction et vérifier à nouveau'),
        )
      : null,
  );
}

async function submitCorrection(issue) {
  const value = $('depot-correction-valeur').value;
  const id = state.preview.batchId;
  $('depot-corriger').disabled = true;
  let response;
  try {
    response = await callApi(`/api/imports/${id}/corrections`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sheet: issue.sheet, cell: issue.cell, value }) });
  } catch (error) {
    response = { status: 0, body: { error: `Le serveur n’a pas répondu (${error.message}).` } };
  }
  const body = typeof response.body === 'object' && response.body ? response.body : {};
  if (response.ok && body.issues) {
    state.preview = { ...state.preview, ...body };
    renderPreview();
    const errors = body.counts.errors;
    show(
      'depot-action-message',
      alert(
        'success',
        `Lecture de ${place(issue.sheet, issue.cell)} corrigée`,
        `« ${value} » est lu à la place de « ${issue.value ?? ''} » (le fichier reste tel qu’envoyé). L’aperçu a été vérifié à nouveau : ${errors ? `${errors} erreur${errors > 1 ? 's' : ''} restante${errors > 1 ? 's' : ''}` : 'plus aucune erreur'}.`,
      ),
    );
    return;
  }
  $('depot-corriger').disabled = false;
  show('depot-action-message', alert('error', 'La correction a été refusée', body.error || `Le serveur a répondu ${response.status}.`));
}

const STEPS = ['Envoi du fichier', 'Lecture et contrôle', 'Application'];

/**
 * Where a deposit stands, in the DSFR stepper: 1. the bytes sent (a progress bar that moves), 2. the
 * server reading and checking the file, 3. the apply. The server's work is one request: its step says
 * what is being done, without a percentage it could not keep.
 */
function progressBlock(step, text, sent, total) {
  const percent = sent !== null && total ? Math.min(100, Math.round((sent / total) * 100)) : null;
  return el(
    'div',
    { class: 'fr-stepper fr-mb-2w', id: 'depot-progression', role: 'status', 'aria-live': 'polite' },
    el('h3', { class: 'fr-stepper__title' }, STEPS[step - 1], el('span', { class: 'fr-stepper__state' }, `Étape ${step} sur ${STEPS.length}`)),
    el('div', { class: 'fr-stepper__steps', 'data-fr-current-step': String(step), 'data-fr-steps': String(STEPS.length) }),
    step < STEPS.length ? el('p', { class: 'fr-stepper__details' }, el('span', { class: 'fr-text--bold' }, 'Étape suivante : '), STEPS[step]) : null,
    el('p', { class: 'fr-text--sm fr-mb-1w', id: 'depot-progression-texte' }, percent === null ? `${text}…` : `${text} : ${megabytes(sent)} sur ${megabytes(total)} (${percent} %)`),
    percent === null ? null : el('progress', { max: '100', value: String(percent), id: 'depot-progression-barre', 'aria-label': `Envoi du fichier : ${percent} %` }),
  );
}

function showProgress(step, text, sent, total) {
  show('depot-message', progressBlock(step, text, sent, total));
}

function megabytes(bytes) {
  const [divisor, unit] = bytes >= 1_000_000 ? [1_000_000, 'Mo'] : [1000, 'Ko'];
  return `${(bytes / divisor).toLocaleString('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ${unit}`;
}

/**
 * Once applied, the preview reads in the past: what it said would happen has happened (or, for an
 * unchanged file, nothing did). The anomalies stay as they were found, their future tense made past.
 */
function showAsApplied(status, applied, id) {
  const intro = $('depot-apercu-intro');
  if (intro) {
    intro.textContent =
      status === 'APPLIED'
        ? `Fichier « ${state.fileName} » (${frenchLabel('ImportKind', state.kind)}), lot n° ${id} : appliqué. Ses lignes sont maintenant dans les données du contrat.`
        : `Fichier « ${state.fileName} » (${frenchLabel('ImportKind', state.kind)}), lot n° ${id} : identique au fichier en vigueur, rien n’a changé.`;
  }
  const done = {
    'Actions à créer': ['Actions créées', applied?.createdActions ?? 0],
    'Organisations à créer': ['Organisations créées', applied?.createdOrganisations ?? 0],
  };
  for (const header of document.querySelectorAll('#depot-synthese tbody th')) {
    const past = done[header.textContent];
    if (!past) continue;
    header.textContent = past[0];
    header.nextElementSibling.textContent = String(status === 'APPLIED' ? past[1] : 0);
  }
  const title = $('depot-anomalies-titre');
  if (title) title.textContent = `Anomalies relevées à l’aperçu (${state.preview.issues.length})`;
  for (const cell of document.querySelectorAll('#depot-anomalies tbody td:nth-child(3)')) {
    cell.textContent = cell.textContent.replace(/(elle|il) sera créée? à l'application/g, (_, pronoun) => `${pronoun} a été ${pronoun === 'il' ? 'créé' : 'créée'} à l'application`).replace(/elle sera créée à classer/g, 'elle a été créée à classer');
  }
}

/**
 * DSFR cells do not wrap unless told: long texts (messages, raw cells, measures) may, keeping a readable
 * width on a phone (the table then scrolls sideways in its own frame). widths: { column number: rem }.
 */
function wrapColumns(tableNode, widths) {
  for (const [n, rem] of Object.entries(widths)) {
    for (const cell of tableNode.querySelectorAll(`tbody td:nth-child(${n})`)) {
      cell.classList.add('fr-cell--multiline');
      cell.style.minWidth = `${rem}rem`;
    }
  }
  return tableNode;
}

function issuesTable(issues) {
  return wrapColumns(table(
    `Anomalies relevées (${issues.length}) : les erreurs d’abord, puis par feuille et cellule`,
    [
      { label: 'Gravité', value: (issue) => el('p', { class: `fr-badge fr-badge--sm ${SEVERITY_BADGES[issue.severity] ?? ''}` }, frenchLabel('IssueSeverity', issue.severity)) },
      { label: 'Cellule', value: (issue) => place(issue.sheet, issue.cell) },
      { label: 'Message', value: (issue) => issue.message },
      { label: 'Valeur lue', value: (issue) => (issue.value === null || issue.value === undefined || issue.value === '' ? '—' : el('code', {}, issue.value)) },
      { label: 'Code', value: (issue) => issue.code },
    ],
    sortIssues(issues),
    { emptyText: 'Aucune anomalie : le fichier a été lu sans erreur ni avertissement.', id: 'depot-anomalies' },
  ), { 3: 18, 4: 10 });
}

function renderLines() {
  const lines = state.preview.lines;
  const pages = Math.max(1, Math.ceil(lines.length / LINES_PER_PAGE));
  const page = Math.min(state.linesPage, pages - 1);
  const first = page * LINES_PER_PAGE;
  const shown = lines.slice(first, first + LINES_PER_PAGE);
  const annex2 = lines.some((line) => line.measure);
  const columns = [
    { label: 'Montant', numeric: true, value: (line) => `${line.approximate ? 'environ ' : ''}${euros(line.amount)}` },
    { label: 'Année', value: (line) => (line.year ? String(line.year) : '—') },
    { label: 'Financeur', value: (line) => line.funder },
    { label: 'Étape', value: (line) => frenchLabel('FundingStage', line.stage) },
    { label: 'Nature', value: (line) => frenchLabel('FundingInstrument', line.instrument) },
    annex2
      ? { label: 'Mesure', value: (line) => (line.measure ? `${line.measure}${line.measureAmountKind === 'INVESTMENT' ? ' (investissement soutenu)' : ''}` : '—') }
      : { label: 'Action', value: (line) => line.action || '—' },
    { label: 'Cellule', value: (line) => place(line.sheet, line.cell) },
  ];
  const range = lines.length ? `lignes ${first + 1} à ${first + shown.length} sur ${lines.length}` : 'aucune ligne';
  const nav =
    pages > 1
      ? el(
          'ul',
          { class: 'fr-btns-group fr-btns-group--inline fr-btns-group--sm' },
          el('li', {}, el('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--sm', disabled: page === 0, onclick: () => moveLines(-1) }, 'Lignes précédentes')),
          el('li', {}, el('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--sm', disabled: page >= pages - 1, onclick: () => moveLines(1) }, 'Lignes suivantes')),
        )
      : null;
  show(
    'depot-lignes',
    el('p', { class: 'fr-text--sm', role: 'status' }, `Affichage des ${range}.`),
    wrapColumns(table(`Lignes lues (${range}), chacune avec la cellule d’où vient son montant`, columns, shown, { emptyText: 'Aucune ligne lue.', id: 'depot-lignes-table' }), { 3: 10, 6: 14 }),
    nav,
  );
}

function moveLines(step) {
  state.linesPage += step;
  renderLines();
}

// ---------------------------------------------------------------------------------------------------
// Apply, abandon, download
// ---------------------------------------------------------------------------------------------------

function setActionsDisabled(disabled) {
  for (const id of ['depot-appliquer', 'depot-abandonner', 'depot-appliquer-partiel', 'depot-confirmer-partiel']) {
    const button = $(id);
    if (button) button.disabled = disabled || (id === 'depot-appliquer' && (state.preview.counts.errors > 0 || state.preview.status === 'REJECTED'));
  }
}

/** `partial`: the rows in error are left out (the route's `allowPartial`, recorded on the batch). */
async function applyPreview(partial = false) {
  const id = state.preview.batchId;
  setActionsDisabled(true);
  show('depot-action-message', progressBlock(3, `Application du lot n° ${id} : enregistrement des lignes dans les données du contrat`, null, null));
  let response;
  try {
    response = await callApi(`/api/imports/${id}/apply${partial === true ? '?allowPartial=true' : ''}`, { method: 'POST' });
  } catch (error) {
    response = { status: 0, body: { error: `Le serveur n’a pas répondu (${error.message}).` } };
  }
  const body = typeof response.body === 'object' && response.body ? response.body : {};
  if (response.ok && (body.status === 'APPLIED' || body.status === 'UNCHANGED')) {
    state.preview = { ...state.preview, status: body.status };
    const applied = body.applied;
    const details = applied
      ? [
          // Annex 2 writes measures, not funding lines.
          applied.measures !== undefined
            ? `${applied.measures} mesure${applied.measures > 1 ? 's' : ''} enregistrée${applied.measures > 1 ? 's' : ''}`
            : `${applied.inserted} ligne${applied.inserted > 1 ? 's' : ''} enregistrée${applied.inserted > 1 ? 's' : ''}`,
          applied.superseded ? `${applied.superseded} ligne${applied.superseded > 1 ? 's' : ''} du fichier précédent remplacée${applied.superseded > 1 ? 's' : ''}` : null,
          applied.createdActions ? `${applied.createdActions} action${applied.createdActions > 1 ? 's' : ''} créée${applied.createdActions > 1 ? 's' : ''}` : null,
          applied.createdOrganisations ? `${applied.createdOrganisations} organisation${applied.createdOrganisations > 1 ? 's' : ''} créée${applied.createdOrganisations > 1 ? 's' : ''}` : null,
        ]
          .filter(Boolean)
          .join(', ')
      : '';
    const leftOutRows = applied?.rowsLeftOut ?? 0;
    const message =
      body.status === 'APPLIED' && leftOutRows > 0
        ? alert(
            'warning',
            `Fichier appliqué partiellement (lot n° ${id})`,
            `${plural(leftOutRows, 'ligne')} en erreur ${leftOutRows > 1 ? 'ont été laissées' : 'a été laissée'} de côté ; ${details ? `${details}. ` : ''}Le lot est marqué « appliqué partiellement » dans l’historique.`,
          )
        : body.status === 'APPLIED'
        ? alert('success', `Fichier appliqué (lot n° ${id})`, `${details ? `${details}. ` : ''}Total : ${euros(body.total)}.`)
        : alert('info', `Fichier inchangé (lot n° ${id})`, 'Ce fichier est identique à celui déjà en vigueur pour cette organisation : rien n’a changé.');
    $('depot-statut').replaceWith(statusBadge(body.status, leftOutRows > 0));
    $('depot-partiel')?.remove();
    $('depot-correction-formulaire')?.remove();
    show(
      'depot-action-message',
      message,
      el(
        'ul',
        { class: 'fr-btns-group fr-btns-group--inline-md' },
        el('li', {}, el('a', { class: 'fr-btn fr-btn--secondary', href: '/historique' }, 'Voir l’historique des dépôts')),
        el('li', {}, el('button', { type: 'button', class: 'fr-btn fr-btn--tertiary', onclick: () => backToForm() }, 'Déposer un autre fichier')),
      ),
    );
    $('depot-appliquer').closest('ul').remove();
    $('depot-appliquer-aide').remove();
    showAsApplied(body.status, applied, id);
    return;
  }
  if (response.status === 422 && body.issues) {
    // Re-read at apply time, the file now has errors (the contract changed since the preview).
    state.preview = { ...state.preview, ...body };
    renderPreview();
    show('depot-action-message', alert('error', 'Le fichier a été rejeté à l’application', 'Relu au moment d’appliquer, il contient des erreurs : rien n’a changé.'));
    return;
  }
  setActionsDisabled(false);
  show('depot-action-message', alert('error', 'L’application a échoué', body.error || `Le serveur a répondu ${response.status}.`));
}

async function abandonPreview() {
  const { batchId, status } = state.preview;
  if (status === 'REJECTED') {
    // A rejected batch changed nothing and can never be applied: there is nothing to abandon.
    backToForm(alert('info', null, `Lot n° ${batchId} rejeté laissé de côté : rien n’a changé. Corrigez le fichier et déposez-le à nouveau.`));
    return;
  }
  setActionsDisabled(true);
  let response;
  try {
    response = await callApi(`/api/imports/${batchId}/abandon`, { method: 'POST' });
  } catch (error) {
    response = { status: 0, body: { error: `Le serveur n’a pas répondu (${error.message}).` } };
  }
  if (response.ok) {
    backToForm(alert('success', null, `Aperçu n° ${batchId} abandonné : rien n’a changé dans les données.`));
    return;
  }
  setActionsDisabled(false);
  const body = typeof response.body === 'object' && response.body ? response.body : {};
  show('depot-action-message', alert('error', 'L’abandon a échoué', body.error || `Le serveur a répondu ${response.status}.`));
}

async function downloadIssues(format) {
  try {
    await download(`/api/imports/${state.preview.batchId}/issues.${format}`);
  } catch (error) {
    show('depot-action-message', alert('error', 'Le téléchargement a échoué', error.message));
  }
}

function backToForm(message) {
  state.preview = null;
  show('depot-apercu');
  $('depot-etape-apercu').hidden = true;
  $('depot-etape-formulaire').hidden = false;
  $('depot-fichier').value = '';
  describeChosenFile();
  show('depot-message', message || null);
  $('depot-formulaire-titre').focus();
}

init().catch((error) => show('depot-message', alert('error', 'La page n’a pas pu se charger', error.message)));
