// The import history: every batch with who, when, what and what became of it; a batch's lines, issues
// and lineage; and the rollback of an applied batch after a confirmation. Everything comes from GraphQL.
import { alert, contracts, dateTime, el, euros, graphql, me, show, table } from '../app.js';
import { frenchLabel, ORDER } from '../labels.js';

const PAGE_SIZE = 20;
const LINES_PAGE_SIZE = 100;
const ISSUES_SHOWN = 200;

// Labels: the kernel's one table (/assets/labels.js). Colour only repeats the word: the badge's text carries the status.
const STATUS_BADGES = {
  PREVIEWED: 'fr-badge--info',
  APPLIED: 'fr-badge--success',
  REJECTED: 'fr-badge--error',
  SUPERSEDED: 'fr-badge--new',
  ROLLED_BACK: 'fr-badge--warning',
};
const SEVERITY_BADGES = { ERROR: 'fr-badge--error', WARNING: 'fr-badge--warning', NOTE: 'fr-badge--info' };

const BATCH_FIELDS = `id fileName kind status uploadedBy uploadedAt appliedAt rolledBackAt lineCount errorCount warningCount total appliedPartially rowsLeftOut
  source { id name shortName } contract { code name }`;

const LIST_QUERY = `query ($filter: ImportBatchFilter, $first: Int, $after: String) {
  importBatches(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${BATCH_FIELDS} }
  }
}`;

const DETAIL_QUERY = `query ($id: ID!, $first: Int, $after: String, $issues: Int) {
  importBatch(id: $id) {
    ${BATCH_FIELDS} year layout sizeBytes
    supersedes { id fileName status appliedAt }
    supersededBy { id fileName status appliedAt }
    issues(first: $issues) { severity code message sheet cell rawValue }
    lines(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id amount year stage funder { name } action { code title } programme { code } source { reference rawValue } }
    }
  }
}`;

const LINES_QUERY = `query ($id: ID!, $first: Int, $after: String) {
  importBatch(id: $id) {
    id lines(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id amount year stage funder { name } action { code title } programme { code } source { reference rawValue } }
    }
  }
}`;

const ROLLBACK = `mutation ($id: ID!) { rollbackImport(id: $id) { id status } }`;

const form = document.getElementById('filtres-historique');
const fields = {
  contract: document.getElementById('filtre-contrat'),
  source: document.getElementById('filtre-source'),
  kind: document.getElementById('filtre-nature'),
  status: document.getElementById('filtre-statut'),
};
const URL_NAMES = { contract: 'contrat', source: 'source', kind: 'nature', status: 'statut' };
const detail = document.getElementById('detail-depot');
const modal = document.getElementById('modale-annulation');

const state = {
  /** Who holds the token (null without one), to offer the rollback only to who may do it. */
  viewer: null,
  batches: [],
  after: null,
  /** The batch shown in the detail, and its lines loaded so far. */
  current: null,
  lines: [],
  linesAfter: null,
};

function badge(status) {
  return el('p', { class: `fr-badge fr-badge--sm fr-badge--no-icon ${STATUS_BADGES[status] ?? ''}`.trim() }, statusLabel(status));
}

/** A batch applied without its rows in error says so beside its status (the word, not only a colour). */
function partialBadge(batch) {
  if (!batch.appliedPartially) return null;
  const rows = `${batch.rowsLeftOut} ligne${batch.rowsLeftOut > 1 ? 's' : ''} en erreur laissée${batch.rowsLeftOut > 1 ? 's' : ''} de côté`;
  return el('p', { class: 'fr-badge fr-badge--sm fr-badge--no-icon fr-badge--warning crte-partiel', title: rows }, 'Partiel');
}

function statusLabel(status) {
  return frenchLabel('ImportStatus', status);
}

function filterFromForm() {
  const filter = {};
  if (fields.contract.value) filter.contract = fields.contract.value;
  if (fields.source.value) filter.source = fields.source.value;
  if (fields.kind.value) filter.kind = fields.kind.value;
  if (fields.status.value) filter.status = [fields.status.value];
  return filter;
}

/** The filters and the open batch live in the URL, so that a view can be bookmarked or sent. */
function writeUrl() {
  const params = new URLSearchParams();
  for (const [key, name] of Object.entries(URL_NAMES)) if (fields[key].value) params.set(name, fields[key].value);
  if (state.current) params.set('lot', state.current.id);
  const query = params.toString();
  history.replaceState(null, '', query ? `?${query}` : location.pathname);
}

function batchLink(batch, text) {
  return el('a', { href: `?lot=${batch.id}`, class: 'fr-link', onclick: (event) => openFromLink(event, batch.id) }, text);
}

function openFromLink(event, id) {
  // A plain link (it works without the script, opens in a new tab): the same page just shows the batch.
  if (event.ctrlKey || event.metaKey || event.shiftKey || event.button === 1) return;
  event.preventDefault();
  openBatch(id, { focus: true });
}

// Status and figures first, long texts wrapped: the table fits a 1 200 px container (it was 1 810 px wide,
// with Statut, Lignes, Erreurs and Total always off-screen).
const LIST_COLUMNS = [
  { label: 'N°', value: (batch) => batchLink(batch, `n° ${batch.id}`) },
  { label: 'Statut', value: (batch) => (batch.appliedPartially ? el('div', {}, badge(batch.status), partialBadge(batch)) : badge(batch.status)) },
  { label: 'Fichier', wrap: true, value: (batch) => batch.fileName },
  { label: 'Source', wrap: 'words', value: (batch) => batch.source.name },
  { label: 'Total', numeric: true, value: (batch) => euros(batch.total) },
  { label: 'Lignes', numeric: true, value: (batch) => String(batch.lineCount) },
  { label: 'Erreurs', numeric: true, value: (batch) => String(batch.errorCount) },
  { label: 'Avert.', numeric: true, value: (batch) => el('span', { title: `${batch.warningCount} avertissement${batch.warningCount > 1 ? 's' : ''}` }, String(batch.warningCount)) },
  { label: 'Nature', wrap: 'words', value: (batch) => frenchLabel('ImportKind', batch.kind) },
  { label: 'Déposé', wrap: true, value: (batch) => el('span', {}, batch.uploadedBy ? `par ${batch.uploadedBy}` : 'auteur inconnu', el('br'), `le ${dateTime(batch.uploadedAt)}`) },
  { label: 'Appliqué le', wrap: true, value: (batch) => (batch.appliedAt ? dateTime(batch.appliedAt) : '—') },
];

async function loadList({ more = false } = {}) {
  const message = document.getElementById('message-historique');
  try {
    const data = await graphql(LIST_QUERY, { filter: filterFromForm(), first: PAGE_SIZE, after: more ? state.after : null });
    const page = data.importBatches;
    state.batches = more ? [...state.batches, ...page.nodes] : page.nodes;
    state.after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    const count = page.totalCount;
    show(message, el('p', { class: 'fr-mb-2w' }, count === 0 ? 'Aucun dépôt ne correspond à ces filtres.' : `${count} dépôt${count > 1 ? 's' : ''}, ${state.batches.length} affiché${state.batches.length > 1 ? 's' : ''}, du plus récent au plus ancien.`));
    show(
      'liste-depots',
      table(`Dépôts de fichiers (${count})`, LIST_COLUMNS, state.batches, { emptyText: 'Aucun dépôt.', id: 'tableau-depots' }),
    );
    show(
      'suite-depots',
      state.after ? el('button', { type: 'button', class: 'fr-btn fr-btn--secondary', onclick: () => loadList({ more: true }) }, 'Voir plus de dépôts') : null,
    );
  } catch (error) {
    show(message, alert('error', 'Impossible de lire l’historique', error.message));
  }
}

/** Admins may roll back any batch; an editor those of its own organisation; readers none. */
function mayRollBack(batch) {
  const viewer = state.viewer;
  if (!viewer) return false;
  if (viewer.role === 'ADMIN') return true;
  return viewer.role === 'EDITOR' && viewer.organisation !== null && viewer.organisation !== undefined && viewer.organisation.id === batch.source.id;
}

function definition(term, ...value) {
  return [el('dt', { class: 'fr-text--bold fr-mb-0' }, term), el('dd', { class: 'fr-ml-0 fr-mb-1w' }, ...value)];
}

function lineageList(batches, emptyText) {
  if (!batches.length) return el('p', {}, emptyText);
  return el(
    'ul',
    {},
    batches.map((other) => el('li', {}, batchLink(other, `Dépôt n° ${other.id}`), ` — ${other.fileName} — `, statusLabel(other.status), other.appliedAt ? `, appliqué le ${dateTime(other.appliedAt)}` : '')),
  );
}

const LINE_COLUMNS = [
  { label: 'Action', value: (line) => (line.action ? `${line.action.code} — ${line.action.title}` : 'Enveloppe territoriale (sans action)') },
  { label: 'Financeur', value: (line) => line.funder.name + (line.programme ? ` (${line.programme.code})` : '') },
  { label: 'Année', numeric: true, value: (line) => String(line.year) },
  { label: 'Étape', value: (line) => frenchLabel('FundingStage', line.stage) },
  { label: 'Montant', numeric: true, value: (line) => euros(line.amount) },
  { label: 'Cellule source', value: (line) => el('span', {}, line.source.reference || '—', line.source.rawValue ? el('span', { class: 'fr-hint-text' }, `« ${line.source.rawValue} »`) : null) },
];

const ISSUE_COLUMNS = [
  { label: 'Gravité', value: (issue) => el('p', { class: `fr-badge fr-badge--sm ${SEVERITY_BADGES[issue.severity] || 'fr-badge--warning'}` }, frenchLabel('IssueSeverity', issue.severity)) },
  { label: 'Cellule', value: (issue) => (issue.cell ? `${issue.sheet ? `${issue.sheet} ! ` : ''}${issue.cell}` : issue.sheet || '—') },
  { label: 'Anomalie', value: (issue) => issue.message },
  { label: 'Valeur lue', value: (issue) => (issue.rawValue ? `« ${issue.rawValue} »` : '—') },
];

function linesSection(batch) {
  const total = batch.lines.totalCount;
  let intro;
  if (batch.status === 'PREVIEWED' || batch.status === 'REJECTED' || batch.status === 'ABANDONED' || batch.status === 'UNCHANGED') {
    intro = 'Ce dépôt n’a pas été appliqué : aucune de ses lignes n’a été enregistrée dans les financements du contrat.';
  } else {
    intro = `${total} ligne${total > 1 ? 's' : ''} de financement apportée${total > 1 ? 's' : ''} par ce dépôt, dans l’ordre du fichier, chacune avec la cellule d’où vient son montant.`;
  }
  return el(
    'div',
    { class: 'fr-mt-4w' },
    el('h3', {}, 'Lignes'),
    el('p', {}, intro),
    total ? el('div', { id: 'lignes-depot' }, linesTable(batch.id, total)) : null,
    el('div', { id: 'suite-lignes' }, moreLinesButton(batch.id)),
  );
}

function linesTable(id, total) {
  return table(`Lignes de financement du dépôt n° ${id} (${state.lines.length} sur ${total})`, LINE_COLUMNS, state.lines);
}

function moreLinesButton(id) {
  if (!state.linesAfter) return null;
  return el('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--sm', onclick: () => loadMoreLines(id) }, 'Voir plus de lignes');
}

async function loadMoreLines(id) {
  try {
    const data = await graphql(LINES_QUERY, { id: String(id), first: LINES_PAGE_SIZE, after: state.linesAfter });
    const page = data.importBatch.lines;
    state.lines = [...state.lines, ...page.nodes];
    state.linesAfter = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    show('lignes-depot', linesTable(id, page.totalCount));
    show('suite-lignes', moreLinesButton(id));
  } catch (error) {
    show('suite-lignes', alert('error', 'Impossible de lire les lignes suivantes', error.message));
  }
}

function issuesSection(batch) {
  // Notes (what the import understood on its own) are not counted in the batch: those shown are counted here.
  const notes = batch.issues.filter((issue) => issue.severity === 'NOTE').length;
  const anomalies = batch.errorCount + batch.warningCount;
  const count = anomalies + notes;
  const shown = batch.issues.length;
  const notesText = notes ? `${notes} note${notes > 1 ? 's' : ''} (ce que l’import a compris seul)` : '';
  return el(
    'div',
    { class: 'fr-mt-4w' },
    el('h3', {}, 'Anomalies'),
    anomalies === 0
      ? el('p', {}, `Aucune anomalie relevée dans ce fichier.${notesText ? ` ${notesText[0].toUpperCase()}${notesText.slice(1)}.` : ''}`)
      : el('p', {}, `${batch.errorCount} erreur${batch.errorCount > 1 ? 's' : ''} et ${batch.warningCount} avertissement${batch.warningCount > 1 ? 's' : ''}${notesText ? `, ${notesText}` : ''}, les erreurs d’abord, puis par feuille et cellule${shown < count ? ` (les ${shown} premières)` : ''}.`),
    shown ? table(`Anomalies du dépôt n° ${batch.id}`, ISSUE_COLUMNS, batch.issues) : null,
  );
}

function renderDetail(batch, notice) {
  const rollback =
    batch.status === 'APPLIED' && mayRollBack(batch)
      ? el(
          'button',
          { type: 'button', class: 'fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-arrow-go-back-line', id: 'bouton-annuler-depot', 'aria-controls': 'modale-annulation', 'data-fr-opened': 'false', onclick: () => askRollback(batch) },
          'Annuler ce dépôt',
        )
      : null;
  show(
    detail,
    el('h2', { id: 'detail-titre' }, `Dépôt n° ${batch.id} — ${batch.fileName}`),
    notice || null,
    badge(batch.status),
    partialBadge(batch),
    el(
      'dl',
      { class: 'fr-mt-2w' },
      definition('Nature', frenchLabel('ImportKind', batch.kind)),
      definition('Source', batch.source.name),
      definition('Contrat', `${batch.contract.name} (${batch.contract.code})`),
      definition('Déposé', batch.uploadedBy ? `par ${batch.uploadedBy}, ` : '', `le ${dateTime(batch.uploadedAt)}`),
      definition('Appliqué le', batch.appliedAt ? dateTime(batch.appliedAt) : 'non appliqué'),
      batch.rolledBackAt ? definition('Annulé le', dateTime(batch.rolledBackAt)) : null,
      batch.year ? definition('Année déclarée', String(batch.year)) : null,
      definition('Lignes lues', String(batch.lineCount)),
      batch.appliedPartially ? definition('Appliqué partiellement', `${batch.rowsLeftOut} ligne${batch.rowsLeftOut > 1 ? 's' : ''} du fichier laissée${batch.rowsLeftOut > 1 ? 's' : ''} de côté pour leurs erreurs (ci-dessous)`) : null,
      definition('Erreurs et avertissements', `${batch.errorCount} erreur${batch.errorCount > 1 ? 's' : ''}, ${batch.warningCount} avertissement${batch.warningCount > 1 ? 's' : ''}`),
      definition('Total des lignes lues', euros(batch.total)),
    ),
    el('h3', {}, 'Remplacements'),
    el('h4', { class: 'fr-text--md fr-mb-1w' }, 'Ce dépôt a remplacé'),
    lineageList(batch.supersedes, 'Aucun dépôt antérieur : ce dépôt n’a remplacé aucune ligne.'),
    el('h4', { class: 'fr-text--md fr-mb-1w' }, 'Ce dépôt a été remplacé par'),
    lineageList(batch.supersededBy, 'Aucun dépôt ultérieur n’a remplacé ses lignes.'),
    rollback ? el('div', { class: 'fr-mt-2w' }, rollback) : null,
    linesSection(batch),
    issuesSection(batch),
    el('p', { class: 'fr-mt-4w' }, el('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--sm', onclick: closeDetail }, 'Fermer le détail')),
  );
  detail.hidden = false;
}

function closeDetail() {
  state.current = null;
  detail.hidden = true;
  show(detail);
  writeUrl();
  document.getElementById('tableau-depots')?.querySelector('a')?.focus();
}

async function openBatch(id, { focus = false, notice = null } = {}) {
  try {
    const data = await graphql(DETAIL_QUERY, { id: String(id), first: LINES_PAGE_SIZE, issues: ISSUES_SHOWN });
    const batch = data.importBatch;
    if (!batch) {
      state.current = null;
      show(detail, el('h2', { id: 'detail-titre' }, `Dépôt n° ${id}`), alert('warning', 'Dépôt introuvable', 'Ce dépôt n’existe pas, ou c’est un aperçu que seul son déposant (ou un administrateur) peut voir : saisissez votre jeton d’accès.'));
      detail.hidden = false;
    } else {
      state.current = batch;
      state.lines = batch.lines.nodes;
      state.linesAfter = batch.lines.pageInfo.hasNextPage ? batch.lines.pageInfo.endCursor : null;
      renderDetail(batch, notice);
    }
  } catch (error) {
    show(detail, el('h2', { id: 'detail-titre' }, `Dépôt n° ${id}`), alert('error', 'Impossible de lire ce dépôt', error.message));
    detail.hidden = false;
  }
  writeUrl();
  if (focus) {
    detail.focus();
    detail.scrollIntoView({ block: 'start' });
  }
}

/** Says, before anything is done, what the rollback will withdraw and what will count again. */
function askRollback(batch) {
  const restored = batch.supersedes;
  show(
    'modale-annulation-texte',
    el('p', {}, `Le dépôt n° ${batch.id} (« ${batch.fileName} », ${batch.source.name}) sera annulé : ses ${batch.lines.totalCount} lignes de financement, pour un total de ${euros(batch.total)}, ne compteront plus.`),
    restored.length
      ? el('div', {}, el('p', { class: 'fr-mb-1w' }, 'Les lignes qu’il avait remplacées compteront de nouveau, celles de :'), el('ul', {}, restored.map((other) => el('li', {}, `dépôt n° ${other.id} — ${other.fileName}`))))
      : el('p', {}, 'Il n’avait remplacé aucun dépôt : les financements de cette source reviennent à leur état d’avant ce dépôt.'),
    el('p', {}, 'Les actions et organisations que ce dépôt avait créées sont retirées si rien d’autre ne les utilise. Le dépôt reste dans l’historique, avec le statut « Annulé ».'),
  );
  show('modale-annulation-erreur');
  modal.dataset.batch = batch.id;
  // The DSFR opens the modal itself (the button's aria-controls), and gives the focus back to the button.
}

async function confirmRollback() {
  const id = modal.dataset.batch;
  const button = document.getElementById('confirmer-annulation');
  if (!id || button.disabled) return;
  button.disabled = true;
  try {
    await graphql(ROLLBACK, { id });
    window.dsfr?.(modal).modal.conceal();
    const restored = state.current && String(state.current.id) === id ? state.current.supersedes.map((other) => `n° ${other.id}`) : [];
    const notice = alert(
      'success',
      `Le dépôt n° ${id} est annulé`,
      `Les données sont revenues à leur état d’avant ce dépôt.${restored.length ? ` Les lignes du dépôt ${restored.join(', ')} comptent de nouveau.` : ''}`,
    );
    await Promise.all([loadList(), openBatch(id, { notice })]);
    detail.focus();
  } catch (error) {
    // The API's own French message: why it refused (a later batch to roll back first, rights…).
    show('modale-annulation-erreur', alert('error', 'Annulation refusée', error.message));
  } finally {
    button.disabled = false;
  }
}

async function loadViewer() {
  try {
    state.viewer = await me();
  } catch {
    state.viewer = null;
  }
}

async function fillFilters() {
  for (const kind of ORDER.ImportKind) fields.kind.append(el('option', { value: kind }, frenchLabel('ImportKind', kind)));
  for (const status of ORDER.ImportStatus) fields.status.append(el('option', { value: status }, frenchLabel('ImportStatus', status)));
  try {
    const list = await contracts();
    for (const contract of list) fields.contract.append(el('option', { value: contract.code }, contract.name));
    // The sources: every organisation but the communes (a partner need not be a party to the contract), sent by id.
    const data = await graphql('{ organisations { id name kind } }');
    const sources = data.organisations.filter((organisation) => organisation.kind !== 'COMMUNE').sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    for (const organisation of sources) fields.source.append(el('option', { value: organisation.id }, organisation.name));
  } catch (error) {
    show('message-historique', alert('error', 'Impossible de lire les contrats et les sources', error.message));
  }
  const params = new URLSearchParams(location.search);
  for (const [key, name] of Object.entries(URL_NAMES)) {
    // Kinds were lower-case (?nature=annex3) before the GraphQL values were: bookmarks of then still work.
    const value = key === 'kind' ? params.get(name)?.toUpperCase() : params.get(name);
    if (value && [...fields[key].options].some((option) => option.value === value)) fields[key].value = value;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  writeUrl();
  loadList();
});
form.addEventListener('reset', () => {
  // After the browser has cleared the fields.
  setTimeout(() => {
    writeUrl();
    loadList();
  });
});
document.getElementById('confirmer-annulation').addEventListener('click', confirmRollback);
document.addEventListener('crte:token', async () => {
  await loadViewer();
  await loadList();
  if (state.current) await openBatch(state.current.id);
});

async function start() {
  await Promise.all([loadViewer(), fillFilters()]);
  await loadList();
  const lot = new URLSearchParams(location.search).get('lot');
  if (lot && /^\d+$/.test(lot)) await openBatch(lot, { focus: true });
}

start();
