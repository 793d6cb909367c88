// The dashboard: one FundingFilter (contract, stage, years) drives every funding block, and every figure
// shown is the API's own (fundingTotals, progress, actions, fundingConflicts), formatted with euros().
import { alert, cents, centsToDecimal, contracts, download, el, euros, graphql, mayWrite, me, percent, ratePercent, show, table } from '/assets/app.js';
import { barChart, rateBar } from '/assets/pages/charts.js';
import { fundingEditor } from '/assets/pages/saisie-financement.js';
import { labelsOf } from '/assets/labels.js';

// Labels: the kernel's one table (/assets/labels.js).
const STAGES = labelsOf('FundingStage');
const STAGE_ORDER = Object.keys(STAGES);
const STATUSES = labelsOf('ActionStatus');
const INSTRUMENTS = labelsOf('FundingInstrument');
const ACTIONS_PER_PAGE = 10;
const DECISION_KINDS = labelsOf('DecisionKind');

const FIGURES = 'actions byStatus { status count } planned requested granted paid grantedRate realisationRate';

/** Said instead of a rate where nothing is planned: neither 0 % nor NaN, since paid / planned has no value. */
export const NO_PLANNED_TEXT = 'Aucun montant prévu : taux de réalisation non calculable.';
/** The same, for a cell of the progress table (its column already says which rate). */
export const NO_PLANNED_CELL = 'Aucun montant prévu : non calculable';

const DASHBOARD_QUERY = `query Tableau($contract: String!, $filter: FundingFilter!, $allStages: FundingFilter!, $year: Int) {
  contract(code: $contract) { code name startYear endYear axes { number title orientations { code title } } }
  byAxis: fundingTotals(groupBy: [AXIS], filter: $filter) { axis { number } amount lines }
  byOrientation: fundingTotals(groupBy: [ORIENTATION], filter: $filter) { orientation { code } amount lines }
  byFunder: fundingTotals(groupBy: [FUNDER], filter: $filter) { funder { id name shortName } amount lines }
  byYear: fundingTotals(groupBy: [YEAR], filter: $filter) { year amount lines }
  byStage: fundingTotals(groupBy: [STAGE], filter: $allStages) { stage amount lines }
  progress(contract: $contract, year: $year) {
    year
    overall { ${FIGURES} }
    unclassified { ${FIGURES} }
    axes {
      axis { number title }
      figures { ${FIGURES} }
      orientations {
        orientation { code title }
        figures { ${FIGURES} }
        indicators { indicator { code name unit action { code } } latestYear latestValue target targetYear achievement }
      }
    }
  }
  fundingConflicts(contract: $contract) {
    action { code title } funder { name } year stage difference
    counted { amount source { reference rawValue declaredBy { name } batch { id fileName } } }
    notCounted { amount source { reference rawValue declaredBy { name } batch { id fileName } } }
  }
}`;

const RELANCE_QUERY = `query Relance($contract: String!) {
  relanceTotals(contract: $contract) { volet { number title } instrument kind amount measures }
}`;

const MEETINGS_QUERY = `query Instances($contract: String!) {
  meetings(contract: $contract) { id body heldOn title reviewExportUrl reviewPdfUrl decisions { kind text dueOn action { code } } review { asOf } }
  changesSinceLastCopil(contract: $contract) { meeting { heldOn } overall { planned requested granted paid } }
}`;

const ACTIONS_QUERY = `query Actions($filter: ActionFilter, $orderBy: ActionOrder, $first: Int, $after: String, $stage: FundingStage!) {
  actions(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { code title status lead { name shortName } totalCost costBase fundingTotal(stage: $stage) coverage(stage: $stage) orientation { code } }
  }
}`;

const ACTION_QUERY = `query Action($contract: String!, $code: String!) {
  action(contract: $contract, code: $code) {
    code title status totalCost costBase
    lead { id name }
    orientation { code title axis { number title } }
    planned: fundingTotal(stage: PLANNED) requested: fundingTotal(stage: REQUESTED) granted: fundingTotal(stage: GRANTED) paid: fundingTotal(stage: PAID)
    coverage(stage: PLANNED)
    fundings {
      id amount year stage instrument approximate
      funder { name } programme { code }
      source { reference sheet cell rawValue declaredBy { id name } batch { id fileName } }
    }
    indicators { code name unit baseline target targetYear latestActual { year value } }
    decisions { kind text dueOn meeting { body heldOn } }
  }
  progress(contract: $contract) { axes { orientations { indicators { indicator { code } achievement } } } }
}`;

const state = {
  contract: null,
  // Who holds the token (null without one): the action's detail offers to write only to a writer.
  viewer: null,
  stage: 'PLANNED',
  yearFrom: null,
  yearTo: null,
  // Cursors of the pages seen so far: cursors[n] is the `after` of page n.
  actions: { text: '', status: '', order: 'CODE:ASC', cursors: [null], page: 0 },
};
let dashboardRun = 0;
let actionsRun = 0;

const $ = (id) => document.getElementById(id);

/** Long labels wrap (the DSFR keeps table cells on one line); amounts never break: their spaces are non-breaking. */
function multiline(tableNode) {
  tableNode.classList.add('fr-table--multiline');
  return tableNode;
}

/** An exact decimal that is not money ("1250.5" → "1 250,5"), from the string itself. */
export function decimalText(value) {
  if (value === null || value === undefined || value === '') return '—';
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value));
  if (!match) return String(value);
  const fraction = (match[3] || '').replace(/0+$/, '');
  return `${match[1] ? '−' : ''}${match[2].replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')}${fraction ? `,${fraction}` : ''}`;
}

/** The FundingFilter shared by every funding block (and the exports). */
function fundingFilter({ withStage = true } = {}) {
  const filter = { contract: state.contract };
  if (withStage) filter.stage = [state.stage];
  if (state.yearFrom !== null) filter.yearFrom = state.yearFrom;
  if (state.yearTo !== null) filter.yearTo = state.yearTo;
  return filter;
}

function yearsText() {
  if (state.yearFrom !== null && state.yearTo !== null) return state.yearFrom === state.yearTo ? `année ${state.yearFrom}` : `années ${state.yearFrom} à ${state.yearTo}`;
  if (state.yearFrom !== null) return `depuis ${state.yearFrom}`;
  if (state.yearTo !== null) return `jusqu’à ${state.yearTo}`;
  return 'toutes années';
}

function scopeText() {
  return `Étape « ${STAGES[state.stage].toLowerCase()} », ${yearsText()}.`;
}

function setStatus(kind, ...children) {
  const status = $('etat');
  status.dataset.etat = kind;
  status.dataset.etape = state.stage;
  status.dataset.annees = `${state.yearFrom ?? ''}-${state.yearTo ?? ''}`;
  show(status, ...children);
}

function writeUrl() {
  const params = new URLSearchParams();
  if (state.contract) params.set('contrat', state.contract);
  if (state.stage !== 'PLANNED') params.set('etape', state.stage);
  if (state.yearFrom !== null) params.set('de', String(state.yearFrom));
  if (state.yearTo !== null) params.set('a', String(state.yearTo));
  const query = params.toString();
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
}

function readUrl() {
  const params = new URLSearchParams(location.search);
  const year = (name) => (/^\d{4}$/.test(params.get(name) || '') ? Number(params.get(name)) : null);
  const stage = params.get('etape');
  return { contract: params.get('contrat'), stage: stage && STAGES[stage] ? stage : 'PLANNED', yearFrom: year('de'), yearTo: year('a') };
}

// ---------------------------------------------------------------- blocks

/** One key figure; `sentence` when the value is words (no rate to show) rather than a figure. */
function keyFigure(testid, label, value, note, { sentence = false, wide = false } = {}) {
  return el(
    'div',
    { class: wide ? 'fr-col-12 fr-col-lg-6' : 'fr-col-12 fr-col-sm-6 fr-col-lg-3' },
    el('div', { class: 'fr-p-2w fr-background-alt--blue-france', style: 'height:100%' }, el('p', { class: 'fr-mb-1v fr-text--bold' }, label), el('p', { class: sentence ? 'fr-text--lg fr-text--bold fr-mb-1v' : 'crte-figure fr-mb-1v', 'data-testid': testid }, value), note ? el('p', { class: 'fr-text--xs fr-mb-0' }, note) : null),
  );
}

/** The taux de réalisation of progress figures as a reader says it: « 0,21 % », or why there is none. */
function realisationText(figures, whenNone = NO_PLANNED_TEXT) {
  return figures.realisationRate === null ? whenNone : ratePercent(figures.realisationRate);
}

function renderKeyFigures(byStage, progress) {
  const amount = (stage) => byStage.find((row) => row.stage === stage)?.amount ?? '0.00';
  const overall = progress.overall;
  const until = progress.year ? `jusqu’à ${progress.year}` : 'toutes années';
  show($('chiffres-cles-portee'), `Montants de toutes les étapes, ${yearsText()} ; les étapes ne s’additionnent pas (un même euro est prévu, puis attribué, puis payé).`);
  // One figure per stage, each its own amount: the stages are never added into one total.
  const granted = overall.grantedRate === null ? '' : ` (attribué : ${percent(overall.grantedRate)})`;
  show(
    'bloc-chiffres',
    keyFigure('chiffre-PLANNED', 'Prévu', euros(amount('PLANNED'))),
    keyFigure('chiffre-REQUESTED', 'Demandé', euros(amount('REQUESTED')), 'Sollicité auprès des financeurs (demandes déposées).'),
    keyFigure('chiffre-GRANTED', 'Attribué', euros(amount('GRANTED'))),
    keyFigure('chiffre-PAID', 'Payé', euros(amount('PAID')), 'Y compris les dotations perçues par les EPCI hors actions.'),
    keyFigure(
      'chiffre-taux',
      'Taux de réalisation (payé / prévu)',
      realisationText(overall),
      `Payé sur prévu des ${overall.actions} actions, ${until} : ${euros(overall.paid)} sur ${euros(overall.planned)}${granted}.`,
      { sentence: overall.realisationRate === null, wide: true },
    ),
  );
}

function renderAxes(contract, byAxis, byOrientation) {
  const axisAmount = new Map(byAxis.map((row) => [row.axis ? String(row.axis.number) : 'aucun', row.amount]));
  const orientationAmount = new Map(byOrientation.map((row) => [row.orientation ? row.orientation.code : 'aucune', row.amount]));
  const rows = [];
  for (const axis of contract.axes) {
    rows.push({ key: `axe-${axis.number}`, label: `Axe ${axis.number} — ${axis.title}`, amount: axisAmount.get(String(axis.number)) ?? '0.00' });
    for (const orientation of axis.orientations) {
      rows.push({ key: `orientation-${orientation.code}`, label: `${orientation.code} ${orientation.title}`, amount: orientationAmount.get(orientation.code) ?? '0.00', level: 1 });
    }
  }
  if (axisAmount.has('aucun')) rows.push({ key: 'axe-aucun', label: 'Hors axe : enveloppes sans action et actions à classer', amount: axisAmount.get('aucun') });
  show('bloc-axes', barChart(rows, { id: 'graphique-axes', caption: `Financements par axe et orientation (${scopeText()})`, labelHeader: 'Axe / orientation' }));
}

function renderFunders(byFunder) {
  const rows = byFunder
    .map((row) => ({ key: row.funder?.id ?? 'aucun', label: row.funder ? row.funder.name : 'Financeur inconnu', amount: row.amount, note: `${row.lines} ligne${row.lines > 1 ? 's' : ''}` }))
    .sort((a, b) => {
      const difference = cents(b.amount) - cents(a.amount);
      return difference > 0n ? 1 : difference < 0n ? -1 : a.label.localeCompare(b.label, 'fr');
    });
  show('bloc-financeurs', barChart(rows, { id: 'graphique-financeurs', caption: `Financements par financeur (${scopeText()})`, labelHeader: 'Financeur', shares: true }));
}

function renderYears(byYear) {
  const rows = [...byYear].sort((a, b) => (a.year ?? 0) - (b.year ?? 0)).map((row) => ({ key: String(row.year ?? 'aucune'), label: row.year ? String(row.year) : 'Sans année', amount: row.amount }));
  show('bloc-annees', barChart(rows, { id: 'graphique-annees', caption: `Financements par année (${scopeText()})`, labelHeader: 'Année' }));
}

function renderStages(byStage) {
  show($('par-etape-portee'), `Toutes les étapes, ${yearsText()}. L’étape choisie en haut de page est signalée.`);
  const barClass = { GRANTED: 'crte-bar--granted', PAID: 'crte-bar--paid' };
  const rows = STAGE_ORDER.map((stage) => ({
    key: stage,
    label: stage === state.stage ? `${STAGES[stage]} (étape choisie)` : STAGES[stage],
    amount: byStage.find((row) => row.stage === stage)?.amount ?? '0.00',
    barClass: barClass[stage],
  }));
  show('bloc-etapes', barChart(rows, { id: 'graphique-etapes', caption: `Financements par étape (${yearsText()})`, labelHeader: 'Étape' }));
}

const RELANCE_KINDS = labelsOf('RelanceAmountKind');

/** The annex 2's totals per volet, instrument and kind; the sums of aid and of investment apart. */
function renderRelance(totals) {
  if (!totals.length) {
    show('bloc-relance', el('p', { id: 'relance-vide' }, 'Aucune annexe 2 appliquée pour ce contrat : déposez le bilan du plan de relance (annexe 2) sur la page « Déposer un fichier ».'));
    return;
  }
  const sum = (kind) => centsToDecimal(totals.filter((row) => row.kind === kind).reduce((total, row) => total + cents(row.amount), 0n));
  show(
    'bloc-relance',
    el('p', { id: 'relance-synthese' }, `Aides de l’État : ${euros(sum('AID'))} ; investissements soutenus : ${euros(sum('INVESTMENT'))}.`),
    table(
      'Plan de relance par volet, instrument et nature de montant',
      [
        { label: 'Volet', value: (row) => `${row.volet.number}. ${row.volet.title}` },
        { label: 'Nature', value: (row) => RELANCE_KINDS[row.kind] ?? row.kind },
        { label: 'Instrument', value: (row) => INSTRUMENTS[row.instrument] ?? row.instrument },
        { label: 'Mesures', numeric: true, value: (row) => String(row.measures) },
        { label: 'Montant', numeric: true, value: (row) => el('span', { 'data-testid': `relance-${row.volet.number}-${row.kind}-${row.instrument}` }, euros(row.amount)) },
      ],
      totals,
      { id: 'tableau-relance' },
    ),
  );
}

async function loadRelance(run) {
  try {
    const data = await graphql(RELANCE_QUERY, { contract: state.contract });
    if (run === dashboardRun) renderRelance(data.relanceTotals);
  } catch (error) {
    if (run === dashboardRun) show('bloc-relance', alert('error', 'Le plan de relance n’a pas pu être chargé', error.message));
  }
}

/** « 2026-12-07 » → « 07/12/2026 ». */
const frenchDate = (iso) => iso.split('-').reverse().join('/');

/** A decision, as the relevé writes it: its action, its kind, its text and its deadline. */
function decisionText(decision) {
  return `${decision.action ? `${decision.action.code} : ` : 'Contrat : '}${DECISION_KINDS[decision.kind] ?? decision.kind} — ${decision.text}${decision.dueOn ? ` (échéance ${frenchDate(decision.dueOn)})` : ''}`;
}

/** A link that downloads with the page's token (the relevé in xlsx or PDF). */
function downloadLink(href, testId, label) {
  return el('a', {
    class: 'fr-link fr-icon-download-line fr-link--icon-left',
    href,
    'data-testid': testId,
    onclick: async (event) => {
      event.preventDefault();
      try {
        await download(href);
      } catch (error) {
        setStatus('erreur', alert('error', 'Téléchargement impossible', error.message));
      }
    },
  }, label);
}

/** The contract's COTECH and COPIL, latest first, with their decisions and the relevé to download; what moved since the last COPIL. */
function renderMeetings(meetings, changes) {
  // Printed for the COPIL only when there is something to show.
  $('section-instances').classList.toggle('crte-no-print', !meetings.length);
  if (!meetings.length) {
    show('bloc-instances', el('p', { id: 'instances-vide' }, 'Aucune réunion enregistrée pour ce contrat (mutation createMeeting).'));
    return;
  }
  const signed = (amount) => `${amount.startsWith('-') ? '' : '+'}${euros(amount)}`;
  show(
    'bloc-instances',
    changes
      ? el('p', { id: 'instances-depuis-copil' }, `Depuis le COPIL du ${frenchDate(changes.meeting.heldOn)} : prévu ${signed(changes.overall.planned)}, demandé ${signed(changes.overall.requested)}, attribué ${signed(changes.overall.granted)}, payé ${signed(changes.overall.paid)}.`)
      : null,
    table(
      'Réunions du contrat et leurs décisions',
      [
        { label: 'Date', value: (row) => frenchDate(row.heldOn) },
        { label: 'Instance', value: (row) => `${row.body}${row.title ? ` — ${row.title}` : ''}` },
        { label: 'Décisions', value: (row) => (row.decisions.length ? el('ul', {}, row.decisions.map((decision) => el('li', {}, decisionText(decision)))) : 'Aucune') },
        {
          label: 'Relevé et revue figée',
          value: (row) =>
            el('span', {}, [
              downloadLink(row.reviewExportUrl, `releve-${row.id}`, 'Excel (xlsx)'),
              ' ',
              downloadLink(row.reviewPdfUrl, `releve-pdf-${row.id}`, 'PDF'),
            ]),
        },
      ],
      [...meetings].reverse(),
      { id: 'tableau-instances' },
    ),
  );
}

async function loadMeetings(run) {
  try {
    const data = await graphql(MEETINGS_QUERY, { contract: state.contract });
    if (run === dashboardRun) renderMeetings(data.meetings, data.changesSinceLastCopil);
  } catch (error) {
    if (run === dashboardRun) show('bloc-instances', alert('error', 'Les instances de pilotage n’ont pas pu être chargées', error.message));
  }
}

function statusText(byStatus) {
  if (!byStatus.length) return '—';
  return byStatus.map((entry) => `${entry.count} ${STATUSES[entry.status]?.toLowerCase() ?? entry.status}`).join(', ');
}

function renderProgress(progress) {
  show($('avancement-portee'), `Financements des actions ${progress.year ? `jusqu’à ${progress.year} inclus` : 'de toutes les années'} (l’année de fin choisie en haut de page), statuts d’aujourd’hui. Taux d’attribution : attribué / prévu ; taux de réalisation : payé / prévu.`);
  const rows = [];
  for (const axis of progress.axes) {
    rows.push({ key: `axe-${axis.axis.number}`, label: `Axe ${axis.axis.number} — ${axis.axis.title}`, figures: axis.figures, strong: true });
    for (const orientation of axis.orientations) rows.push({ key: `orientation-${orientation.orientation.code}`, label: `${orientation.orientation.code} ${orientation.orientation.title}`, figures: orientation.figures });
  }
  if (progress.unclassified.actions > 0) rows.push({ key: 'a-classer', label: 'Actions à classer', figures: progress.unclassified });
  rows.push({ key: 'contrat', label: 'Ensemble du contrat', figures: progress.overall, strong: true });
  const cell = (row, field, text) => el('span', { 'data-testid': `avancement-${row.key}-${field}` }, text);
  const grantedRate = (row) => el('span', {}, cell(row, 'grantedRate', row.figures.grantedRate === null ? NO_PLANNED_CELL : percent(row.figures.grantedRate)), row.figures.grantedRate !== null ? rateBar(row.figures.grantedRate) : null);
  // The bar is decoration (its width a float is harmless); the text is the API's exact decimal.
  const realisationRate = (row) => el('span', {}, cell(row, 'realisationRate', realisationText(row.figures, NO_PLANNED_CELL)), row.figures.realisationRate !== null ? rateBar(Number(row.figures.realisationRate)) : null);
  show(
    'bloc-avancement',
    multiline(table(
      `Avancement par axe et orientation (${progress.year ? `jusqu’à ${progress.year}` : 'toutes années'})`,
      [
        { label: 'Axe / orientation', value: (row) => (row.strong ? el('strong', {}, row.label) : row.label) },
        { label: 'Actions', numeric: true, value: (row) => cell(row, 'actions', String(row.figures.actions)) },
        { label: 'Statuts', value: (row) => statusText(row.figures.byStatus) },
        { label: 'Prévu', numeric: true, value: (row) => cell(row, 'planned', euros(row.figures.planned)) },
        { label: 'Demandé', numeric: true, value: (row) => cell(row, 'requested', euros(row.figures.requested)) },
        { label: 'Attribué', numeric: true, value: (row) => cell(row, 'granted', euros(row.figures.granted)) },
        { label: 'Payé', numeric: true, value: (row) => cell(row, 'paid', euros(row.figures.paid)) },
        { label: 'Taux d’attribution', numeric: true, value: grantedRate },
        { label: 'Taux de réalisation', numeric: true, value: realisationRate },
      ],
      rows,
      { id: 'tableau-avancement' },
    )),
  );
  const indicators = progress.axes.flatMap((axis) => axis.orientations.flatMap((orientation) => orientation.indicators.map((entry) => ({ ...entry, orientation: orientation.orientation.code }))));
  show(
    'bloc-indicateurs',
    multiline(table(
      'Indicateurs : dernière valeur réalisée face à la cible',
      [
        { label: 'Orientation', value: (row) => row.orientation },
        { label: 'Action', value: (row) => row.indicator.action?.code ?? '—' },
        { label: 'Indicateur', value: (row) => row.indicator.name },
        { label: 'Dernière valeur', numeric: true, value: (row) => (row.latestValue !== null ? `${decimalText(row.latestValue)} ${row.indicator.unit} (${row.latestYear})` : '—') },
        { label: 'Cible', numeric: true, value: (row) => (row.target !== null ? `${decimalText(row.target)} ${row.indicator.unit}${row.targetYear ? ` (${row.targetYear})` : ''}` : '—') },
        { label: 'Atteinte', numeric: true, value: (row) => el('span', { 'data-testid': `indicateur-${row.indicator.code}-atteinte` }, percent(row.achievement)) },
      ],
      indicators,
      { id: 'tableau-indicateurs', emptyText: 'Aucun indicateur suivi.' },
    )),
  );
}

function sourceText(funding) {
  const source = funding.source || {};
  const parts = [source.declaredBy?.name, source.reference, source.rawValue !== null && source.rawValue !== undefined ? `« ${source.rawValue} »` : null, source.batch ? `${source.batch.fileName} (dépôt n° ${source.batch.id})` : null];
  return parts.filter(Boolean).join(' — ');
}

function renderConflicts(conflicts) {
  const amountWithSource = (funding) => el('span', {}, el('strong', {}, euros(funding.amount)), el('br'), el('span', { class: 'fr-text--xs' }, sourceText(funding)));
  show(
    'bloc-conflits',
    multiline(table(
      'Désaccords entre sources : le montant compté et celui qui ne l’est pas',
      [
        { label: 'Action', value: (row) => (row.action ? `${row.action.code} ${row.action.title}` : '—') },
        { label: 'Financeur', value: (row) => row.funder.name },
        { label: 'Année', value: (row) => String(row.year) },
        { label: 'Étape', value: (row) => STAGES[row.stage] },
        { label: 'Compté (déclaration du financeur)', value: (row) => amountWithSource(row.counted) },
        { label: 'Non compté (autre source)', value: (row) => amountWithSource(row.notCounted) },
        { label: 'Écart (non compté − compté)', numeric: true, value: (row) => euros(row.difference) },
      ],
      conflicts,
      { id: 'tableau-conflits', emptyText: 'Aucun désaccord : toutes les sources concordent.' },
    )),
  );
}

function exportQuery(extra = {}) {
  const filter = fundingFilter();
  const params = new URLSearchParams({ contract: filter.contract, stage: state.stage });
  if (filter.yearFrom !== undefined) params.set('yearFrom', String(filter.yearFrom));
  if (filter.yearTo !== undefined) params.set('yearTo', String(filter.yearTo));
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params.toString();
}

function renderExports() {
  show($('exports-portee'), `Les lignes de financement suivent les filtres de la page (${scopeText().toLowerCase().replace(/\.$/, '')}) ; l’annexe 3 consolidée couvre toute la période du contrat, à l’étape choisie.`);
  const link = (testid, href, text, detail) =>
    el(
      'li',
      { class: 'fr-mb-1w' },
      el(
        'a',
        {
          class: 'fr-link fr-icon-download-line fr-link--icon-left',
          href,
          'data-testid': testid,
          onclick: async (event) => {
            // Through download(): the token goes with the request when reads require one.
            event.preventDefault();
            try {
              await download(href);
              setStatus($('etat').dataset.etat, `Téléchargement lancé : ${text}.`);
            } catch (error) {
              setStatus('erreur', alert('error', 'Téléchargement impossible', error.message));
            }
          },
        },
        text,
      ),
      el('span', { class: 'fr-text--xs fr-ml-1w' }, detail),
    );
  show(
    'bloc-exports',
    link('export-csv', `/api/export/fundings.csv?${exportQuery()}`, 'Lignes de financement (CSV)', 'séparateur « , », point décimal : pour les outils de BI'),
    link('export-csv-fr', `/api/export/fundings.csv?${exportQuery({ format: 'fr' })}`, 'Lignes de financement (CSV pour Excel)', '« ; », virgule décimale'),
    link('export-xlsx', `/api/export/fundings.xlsx?${exportQuery()}`, 'Lignes de financement (Excel, xlsx)', 'montants en nombres'),
    link('export-annexe3', `/api/export/annex3.xlsx?${new URLSearchParams({ contract: state.contract, stage: state.stage })}`, `Annexe 3 consolidée, étape « ${STAGES[state.stage].toLowerCase()} » (Excel, xlsx)`, 'tableau récapitulatif des investissements des partenaires'),
  );
}

// ---------------------------------------------------------------- actions

function renderActions(page) {
  const { actions } = state;
  const stageLabel = STAGES[state.stage].toLowerCase();
  const block = show(
    'bloc-actions',
    multiline(table(
      `Actions du contrat (${page.totalCount}), financement et couverture à l’étape « ${stageLabel} », toutes années`,
      [
        { label: 'Code', value: (row) => el('span', { 'data-testid': 'action-code' }, row.code) },
        { label: 'Intitulé', value: (row) => row.title },
        { label: 'Maître d’ouvrage', value: (row) => row.lead?.shortName || row.lead?.name || '—' },
        { label: 'Statut', value: (row) => el('span', { class: 'fr-badge fr-badge--sm fr-badge--no-icon' }, STATUSES[row.status] ?? row.status) },
        { label: 'Coût total', numeric: true, value: (row) => (row.totalCost ? `${euros(row.totalCost)}${row.costBase ? ` ${row.costBase}` : ''}` : '—') },
        { label: `Financement (${stageLabel})`, numeric: true, value: (row) => el('span', { 'data-testid': `action-${row.code}-financement` }, euros(row.fundingTotal)) },
        { label: 'Part du coût couverte', numeric: true, value: (row) => percent(row.coverage) },
        {
          label: 'Détail',
          value: (row) =>
            el('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-btn--sm', 'aria-controls': 'fenetre-action', 'data-fr-opened': 'false', title: `Voir l’action ${row.code} : financements, sources et indicateurs`, onclick: () => openAction(row.code) }, `Voir ${row.code}`),
        },
      ],
      page.nodes,
      { id: 'tableau-actions', emptyText: 'Aucune action ne correspond à ces critères.' },
    )),
  );
  const pages = Math.max(1, Math.ceil(page.totalCount / ACTIONS_PER_PAGE));
  show($('actions-pagination'), `Page ${actions.page + 1} sur ${pages} — ${page.totalCount} action${page.totalCount > 1 ? 's' : ''}.`);
  $('actions-precedente').disabled = actions.page === 0;
  $('actions-suivante').disabled = !page.pageInfo.hasNextPage;
  if (page.pageInfo.hasNextPage) actions.cursors[actions.page + 1] = page.pageInfo.endCursor;
  block.dataset.etat = 'pret';
  block.dataset.tri = actions.order;
  block.dataset.etape = state.stage;
}

async function loadActions() {
  if (!state.contract) return;
  const run = ++actionsRun;
  const { actions } = state;
  const block = $('bloc-actions');
  block.dataset.etat = 'chargement';
  const [field, direction] = actions.order.split(':');
  const filter = { contract: state.contract };
  if (actions.text.trim()) filter.text = actions.text.trim();
  if (actions.status) filter.status = [actions.status];
  try {
    const data = await graphql(ACTIONS_QUERY, { filter, orderBy: { field, direction, stage: state.stage }, first: ACTIONS_PER_PAGE, after: actions.cursors[actions.page], stage: state.stage });
    if (run !== actionsRun) return;
    renderActions(data.actions);
  } catch (error) {
    if (run !== actionsRun) return;
    show(block, alert('error', 'Les actions n’ont pas pu être chargées', error.message));
    block.dataset.etat = 'erreur';
  }
}

function resetActions() {
  state.actions.cursors = [null];
  state.actions.page = 0;
  return loadActions();
}

// ---------------------------------------------------------------- one action

async function openAction(code, notice = null) {
  const content = $('fenetre-action-contenu');
  content.dataset.etat = 'chargement';
  show($('fenetre-action-titre'), `Action ${code}`);
  show(content, el('p', { role: 'status' }, 'Chargement…'));
  const dialog = $('fenetre-action');
  // The button's aria-controls opens the modal; if the DSFR has not bound a freshly drawn button yet, open it ourselves.
  setTimeout(() => {
    if (!dialog.open && window.dsfr) window.dsfr(dialog).modal.disclose();
  }, 100);
  try {
    const data = await graphql(ACTION_QUERY, { contract: state.contract, code });
    const action = data.action;
    if (!action) {
      show(content, alert('error', 'Action introuvable', `Aucune action ${code} dans ce contrat.`));
      content.dataset.etat = 'erreur';
      return;
    }
    const achievement = new Map();
    for (const axis of data.progress.axes) for (const orientation of axis.orientations) for (const entry of orientation.indicators) achievement.set(entry.indicator.code, entry.achievement);
    show($('fenetre-action-titre'), `${action.code} — ${action.title}`);
    const stageRank = (stage) => STAGE_ORDER.indexOf(stage);
    // A writer records, corrects and ends lines here; after each write the action and the dashboard are read again.
    const editor = mayWrite(state.viewer)
      ? fundingEditor({
          contract: state.contract,
          action,
          viewer: state.viewer,
          done: async (text) => {
            await openAction(code, text);
            refreshAll();
          },
        })
      : null;
    const fundings = [...action.fundings].sort((a, b) => a.year - b.year || stageRank(a.stage) - stageRank(b.stage) || a.funder.name.localeCompare(b.funder.name, 'fr'));
    const facts = [
      ['Orientation', action.orientation ? `${action.orientation.code} ${action.orientation.title} (axe ${action.orientation.axis.number})` : 'À classer'],
      ['Maître d’ouvrage', action.lead?.name ?? '—'],
      ['Statut', STATUSES[action.status] ?? action.status],
      ['Coût total', action.totalCost ? `${euros(action.totalCost)}${action.costBase ? ` ${action.costBase}` : ''}` : '—'],
      ['Prévu', euros(action.planned)],
      ['Demandé', euros(action.requested)],
      ['Attribué', euros(action.granted)],
      ['Payé', euros(action.paid)],
      ['Part du coût couverte (prévu)', percent(action.coverage)],
    ];
    const noticeNode = notice ? alert('success', null, notice) : null;
    noticeNode?.setAttribute('tabindex', '-1');
    noticeNode?.setAttribute('data-testid', 'saisie-succes');
    show(
      content,
      noticeNode,
      el('ul', { class: 'fr-mb-3w' }, facts.map(([label, value]) => el('li', {}, el('strong', {}, `${label} : `), value))),
      el('h2', { class: 'fr-h5' }, 'Financements et leur source'),
      multiline(table(
        `Financements en vigueur de l’action ${action.code}, avec la cellule d’où vient chaque montant`,
        [
          { label: 'Année', value: (row) => String(row.year) },
          { label: 'Étape', value: (row) => STAGES[row.stage] },
          { label: 'Financeur (dispositif)', value: (row) => `${row.funder.name}${row.programme ? ` (${row.programme.code})` : ''}` },
          { label: 'Nature', value: (row) => INSTRUMENTS[row.instrument] ?? row.instrument },
          { label: 'Montant', numeric: true, value: (row) => `${euros(row.amount)}${row.approximate ? ' (environ)' : ''}` },
          {
            label: 'Cellule source et son texte',
            value: (row) =>
              el('span', {}, el('span', { 'data-testid': 'source-cellule' }, row.source?.reference ?? '—'), row.source?.rawValue !== null && row.source?.rawValue !== undefined ? [el('br'), `« ${row.source.rawValue} »`] : null),
          },
          {
            label: 'Fichier, déclaré par',
            value: (row) => el('span', { class: 'fr-text--xs' }, row.source?.batch ? `${row.source.batch.fileName} (dépôt n° ${row.source.batch.id})` : '—', row.source?.declaredBy ? [el('br'), row.source.declaredBy.name] : null),
          },
          editor?.column,
        ].filter(Boolean),
        fundings,
        { id: 'tableau-action-financements', emptyText: 'Aucun financement en vigueur.' },
      )),
      editor?.section,
      el('h2', { class: 'fr-h5' }, 'Indicateurs'),
      multiline(table(
        `Indicateurs de l’action ${action.code}`,
        [
          { label: 'Indicateur', value: (row) => row.name },
          { label: 'Valeur de référence', numeric: true, value: (row) => (row.baseline !== null ? `${decimalText(row.baseline)} ${row.unit}` : '—') },
          { label: 'Dernière valeur réalisée', numeric: true, value: (row) => el('span', { 'data-testid': `indicateur-${row.code}-valeur` }, row.latestActual ? `${decimalText(row.latestActual.value)} ${row.unit} (${row.latestActual.year})` : '—') },
          { label: 'Cible', numeric: true, value: (row) => el('span', { 'data-testid': `indicateur-${row.code}-cible` }, row.target !== null ? `${decimalText(row.target)} ${row.unit}${row.targetYear ? ` (${row.targetYear})` : ''}` : '—') },
          { label: 'Atteinte', numeric: true, value: (row) => percent(achievement.get(row.code)) },
        ],
        action.indicators,
        { id: 'tableau-action-indicateurs', emptyText: 'Aucun indicateur pour cette action.' },
      )),
      el('h2', { class: 'fr-h5' }, 'Décisions des instances de pilotage'),
      multiline(table(
        `Décisions des COTECH et COPIL sur l’action ${action.code}`,
        [
          { label: 'Réunion', value: (row) => `${row.meeting.body} du ${frenchDate(row.meeting.heldOn)}` },
          { label: 'Décision', value: (row) => DECISION_KINDS[row.kind] ?? row.kind },
          { label: 'Texte', value: (row) => row.text },
          { label: 'Échéance', value: (row) => (row.dueOn ? frenchDate(row.dueOn) : '—') },
        ],
        action.decisions,
        { id: 'tableau-action-decisions', emptyText: 'Aucune décision enregistrée pour cette action.' },
      )),
    );
    content.dataset.etat = 'pret';
    noticeNode?.focus();
  } catch (error) {
    show(content, alert('error', 'L’action n’a pas pu être chargée', error.message));
    content.dataset.etat = 'erreur';
  }
}

// ---------------------------------------------------------------- loading

async function loadDashboard() {
  if (!state.contract) return;
  const run = ++dashboardRun;
  writeUrl();
  setStatus('chargement', 'Chargement du tableau de bord…');
  for (const scope of document.querySelectorAll('.crte-portee')) show(scope, scopeText());
  renderExports();
  try {
    const data = await graphql(DASHBOARD_QUERY, { contract: state.contract, filter: fundingFilter(), allStages: fundingFilter({ withStage: false }), year: state.yearTo });
    if (run !== dashboardRun) return;
    if (!data.contract) {
      setStatus('erreur', alert('error', 'Contrat introuvable', `Aucun contrat ${state.contract}.`));
      return;
    }
    renderKeyFigures(data.byStage, data.progress);
    renderAxes(data.contract, data.byAxis, data.byOrientation);
    renderFunders(data.byFunder);
    renderYears(data.byYear);
    renderStages(data.byStage);
    renderProgress(data.progress);
    renderConflicts(data.fundingConflicts);
    await Promise.all([loadRelance(run), loadMeetings(run)]);
    const warning = state.yearFrom !== null && state.yearTo !== null && state.yearFrom > state.yearTo ? ' Attention : l’année de début est après l’année de fin, aucun montant ne peut correspondre.' : '';
    setStatus('pret', `Tableau de bord à jour : ${data.contract.name}, ${scopeText().toLowerCase()}${warning}`);
  } catch (error) {
    if (run !== dashboardRun) return;
    setStatus('erreur', alert('error', 'Le tableau de bord n’a pas pu être chargé', error.message));
  }
}

function refreshAll() {
  return Promise.all([loadDashboard(), resetActions()]);
}

/** Years offered: the contract's period and every year that holds a funding line. */
async function loadYears() {
  const data = await graphql('query Annees($contract: String!) { contract(code: $contract) { startYear endYear } fundingTotals(groupBy: [YEAR], filter: { contract: $contract }) { year } }', { contract: state.contract });
  const years = new Set(data.fundingTotals.map((row) => row.year).filter((year) => year !== null));
  if (data.contract) for (let year = data.contract.startYear; year <= data.contract.endYear; year++) years.add(year);
  const sorted = [...years].sort((a, b) => a - b);
  for (const [id, selected] of [['annee-debut', state.yearFrom], ['annee-fin', state.yearTo]]) {
    show(id, el('option', { value: '' }, 'Toutes'), sorted.map((year) => el('option', { value: String(year), selected: year === selected }, String(year))));
  }
  if (state.yearFrom !== null && !years.has(state.yearFrom)) state.yearFrom = null;
  if (state.yearTo !== null && !years.has(state.yearTo)) state.yearTo = null;
}

async function start() {
  const wanted = readUrl();
  state.viewer = await me().catch(() => null);
  Object.assign(state, { stage: wanted.stage, yearFrom: wanted.yearFrom, yearTo: wanted.yearTo });
  $('etape').value = state.stage;
  try {
    const list = await contracts();
    if (!list.length) {
      setStatus('erreur', alert('info', 'Aucun contrat', 'La base ne contient encore aucun contrat.'));
      return;
    }
    state.contract = list.some((contract) => contract.code === wanted.contract) ? wanted.contract : list[0].code;
    show('contrat', list.map((contract) => el('option', { value: contract.code, selected: contract.code === state.contract }, `${contract.name} (${contract.startYear}–${contract.endYear})`)));
    await loadYears();
  } catch (error) {
    setStatus('erreur', alert('error', 'Les contrats n’ont pas pu être chargés', error.message));
    return;
  }
  await refreshAll();
}

function wire() {
  // The print layout (app.css, @media print) leaves out the filters, menus and buttons; the scope line of
  // each block says which filters the figures follow.
  $('imprimer').addEventListener('click', () => window.print());
  show('actions-statut', el('option', { value: '' }, 'Tous les statuts'), Object.entries(STATUSES).map(([value, label]) => el('option', { value }, label)));
  $('filtres').addEventListener('submit', (event) => event.preventDefault());
  $('contrat').addEventListener('change', async (event) => {
    state.contract = event.target.value;
    state.yearFrom = null;
    state.yearTo = null;
    try {
      await loadYears();
    } catch (error) {
      setStatus('erreur', alert('error', 'Les années n’ont pas pu être chargées', error.message));
    }
    refreshAll();
  });
  $('etape').addEventListener('change', (event) => {
    state.stage = event.target.value;
    refreshAll();
  });
  const year = (value) => (value ? Number(value) : null);
  $('annee-debut').addEventListener('change', (event) => {
    state.yearFrom = year(event.target.value);
    loadDashboard();
  });
  $('annee-fin').addEventListener('change', (event) => {
    state.yearTo = year(event.target.value);
    loadDashboard();
  });

  let typing;
  $('filtres-actions').addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(typing);
    state.actions.text = $('actions-texte').value;
    resetActions();
  });
  $('actions-texte').addEventListener('input', (event) => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.actions.text = event.target.value;
      resetActions();
    }, 300);
  });
  $('actions-statut').addEventListener('change', (event) => {
    state.actions.status = event.target.value;
    resetActions();
  });
  $('actions-tri').addEventListener('change', (event) => {
    state.actions.order = event.target.value;
    resetActions();
  });
  $('actions-precedente').addEventListener('click', () => {
    if (state.actions.page > 0) state.actions.page -= 1;
    loadActions();
  });
  $('actions-suivante').addEventListener('click', () => {
    if (state.actions.cursors[state.actions.page + 1] === undefined) return;
    state.actions.page += 1;
    loadActions();
  });
  // A new token may open reads that were refused.
  document.addEventListener('crte:token', () => start());
}

wire();
start();
