// The queries page: a plain GraphQL editor (no GraphiQL, nothing from a CDN), the project's examples, the
// schema's documentation, and saved reports whose CSV URL a BI tool refreshes.
import { alert, currentToken, dateTime, download, el, euros, me, show, table } from '../app.js';
import { frenchLabel } from '../labels.js';

const editor = document.getElementById('requete');
const variablesInput = document.getElementById('variables');
const runButton = document.getElementById('executer');
const runState = document.getElementById('etat-execution');
const errorsBox = document.getElementById('erreurs');
const resultBox = document.getElementById('resultat');
const exampleSelect = document.getElementById('exemple');
const exampleDescription = document.getElementById('exemple-description');
const reportName = document.getElementById('nom-rapport');
const reportNameError = document.getElementById('nom-rapport-erreur');
const saveButton = document.getElementById('enregistrer-rapport');
const saveReason = document.getElementById('raison-enregistrement');

/** The same rule as the server's (saved-report.service.ts): the name is the file name of the URLs. */
const REPORT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
const TABLE_ROW_LIMIT = 500;

/** « lecteur », « éditeur »…: the kernel's label (/assets/labels.js) inside a sentence. */
const roleName = (role) => frenchLabel('Role', role).toLowerCase();

let identity = null;
let lastData = null;

// ---------------------------------------------------------------------------------------------- API

/** Posts to /graphql and keeps the whole answer: errors carry their line and column, data may be partial. */
async function post(query, variables) {
  const token = currentToken();
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

/** Like app.js graphql() but with the API's messages kept one by one. */
async function request(query, variables) {
  const { status, body } = await post(query, variables);
  if (!body) throw new Error(`Le serveur a répondu ${status} sans données lisibles.`);
  if (body.errors?.length) throw new Error(body.errors.map((error) => frenchMessage(error.message).text).join(' ; '));
  return body.data;
}

// ------------------------------------------------------------------------------------------- editor

// Escape releases the Tab key for one move, so that keyboard users can leave the field.
let tabReleased = false;

function insertText(area, text) {
  area.focus();
  // execCommand keeps the browser's undo history; setRangeText is the fallback.
  if (!document.execCommand('insertText', false, text)) {
    area.setRangeText(text, area.selectionStart, area.selectionEnd, 'end');
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

/** Tab on a multi-line selection indents its lines; Shift+Tab removes up to two spaces from them. */
function indent(area, outdent) {
  const { value, selectionStart, selectionEnd } = area;
  const multiLine = value.slice(selectionStart, selectionEnd).includes('\n');
  if (!outdent && !multiLine) return insertText(area, '  ');
  const start = value.lastIndexOf('\n', selectionStart - 1) + 1;
  const lines = value.slice(start, selectionEnd).split('\n');
  const changed = lines.map((line) => (outdent ? line.replace(/^ {1,2}/, '') : `  ${line}`)).join('\n');
  area.setSelectionRange(start, selectionEnd);
  insertText(area, changed);
  area.setSelectionRange(start, start + changed.length);
}

function wireEditorKeys(area) {
  area.addEventListener('focus', () => {
    tabReleased = false;
  });
  area.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
      event.preventDefault();
      run();
      return;
    }
    if (event.key === 'Escape') {
      tabReleased = true;
      return;
    }
    if (event.key === 'Tab' && !tabReleased && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      indent(area, event.shiftKey);
      return;
    }
    if (event.key !== 'Shift') tabReleased = false;
  });
}

/** Puts the caret at a line and column of the query, as the API's errors give them. */
function goTo(line, column) {
  const lines = editor.value.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += Math.max(0, column - 1);
  editor.focus();
  editor.setSelectionRange(offset, offset);
  // Scroll the line into view: the textarea's own scroll, by its line height.
  const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 20;
  editor.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

// ------------------------------------------------------------------------------------- French errors

const quoteList = (text) =>
  text
    .split(/, (?:or )?|,? or /)
    .map((part) => `« ${part.replace(/^"|"$/g, '')} »`)
    .join(', ')
    .replace(/, (« [^«]*»)$/, ' ou $1');

/**
 * graphql-js writes its syntax and validation messages in English; the API's own are French. The usual
 * ones are said again in French, the original kept beside them.
 */
const TRANSLATIONS = [
  [/^Syntax Error: Expected (.+), found (.+)\.$/, (m) => `Erreur de syntaxe : ${m[1].replace(/^Name$/, 'un nom')} attendu, ${m[2].replace(/^<EOF>$/, 'fin de la requête')} trouvé.`],
  [/^Syntax Error: Unexpected (.+)\.$/, (m) => `Erreur de syntaxe : ${m[1].replace(/^<EOF>$/, 'fin de la requête')} inattendu.`],
  [/^Syntax Error: Unterminated string\.$/, () => 'Erreur de syntaxe : chaîne de caractères non fermée (guillemet manquant).'],
  [/^Syntax Error: (.+)$/, (m) => `Erreur de syntaxe : ${m[1]}`],
  [/^Cannot query field "([^"]+)" on type "([^"]+)"\.(?: Did you mean (.+)\?)?$/, (m) => `Le champ « ${m[1]} » n’existe pas dans le type « ${m[2]} ».${m[3] ? ` Vouliez-vous dire ${quoteList(m[3])} ?` : ''}`],
  [/^Unknown argument "([^"]+)" on field "([^"]+)"\.(?: Did you mean (.+)\?)?$/, (m) => `L’argument « ${m[1]} » n’existe pas pour le champ « ${m[2]} ».${m[3] ? ` Vouliez-vous dire ${quoteList(m[3])} ?` : ''}`],
  [/^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields\./, (m) => `Le champ « ${m[1]} » (type « ${m[2]} ») demande une liste de sous-champs entre accolades : ${m[1]} { … }.`],
  [/^Field "([^"]+)" must not have a selection since type "([^"]+)" has no subfields\.$/, (m) => `Le champ « ${m[1]} » (type « ${m[2]} ») n’a pas de sous-champs : retirez les accolades.`],
  [/^Field "([^"]+)" argument "([^"]+)" of type "([^"]+)" is required, but it was not provided\.$/, (m) => `L’argument « ${m[2]} » (type « ${m[3]} ») du champ « ${m[1]} » est obligatoire.`],
  [/^Variable "\$([^"]+)" of required type "([^"]+)" was not provided\.$/, (m) => `La variable « $${m[1]} » (type « ${m[2]} ») est obligatoire : donnez-la dans les variables.`],
  [/^Variable "\$([^"]+)" is not defined(?: by operation "[^"]+")?\.$/, (m) => `La variable « $${m[1]} » n’est pas déclarée dans l’en-tête de la requête.`],
  [/^Variable "\$([^"]+)" is never used(?: in operation "[^"]+")?\.$/, (m) => `La variable « $${m[1]} » est déclarée mais jamais utilisée.`],
  [/^Variable "\$([^"]+)" got invalid value (.+?); (.+)$/, (m) => `La variable « $${m[1]} » a une valeur invalide (${m[2]}) : ${m[3]}`],
  [/^Unknown type "([^"]+)"\.(?: Did you mean (.+)\?)?$/, (m) => `Le type « ${m[1]} » n’existe pas.${m[2] ? ` Vouliez-vous dire ${quoteList(m[2])} ?` : ''}`],
  [/^Value "([^"]+)" does not exist in "([^"]+)" enum\.(?: Did you mean the enum value (.+)\?)?$/, (m) => `La valeur « ${m[1]} » n’existe pas dans la liste « ${m[2]} ».${m[3] ? ` Vouliez-vous dire ${quoteList(m[3])} ?` : ''}`],
  [/^Enum "([^"]+)" cannot represent non-enum value: (.+?)\.(?: Did you mean the enum value (.+)\?)?$/, (m) => `${m[2]} n’est pas une valeur de la liste « ${m[1]} ».${m[3] ? ` Vouliez-vous dire ${quoteList(m[3])} ?` : ''}`],
  [/^Int cannot represent non-integer value: (.+)$/, (m) => `${m[1]} n’est pas un nombre entier (Int).`],
  [/^String cannot represent a non string value: (.+)$/, (m) => `${m[1]} n’est pas une chaîne de caractères (String) : mettez-la entre guillemets.`],
  [/^Field "([^"]+)" is not defined by type "([^"]+)"\.(?: Did you mean (.+)\?)?$/, (m) => `Le champ « ${m[1]} » n’existe pas dans « ${m[2]} ».${m[3] ? ` Vouliez-vous dire ${quoteList(m[3])} ?` : ''}`],
  [/^Field "([^"]+)" of required type "([^"]+)" was not provided\.$/, (m) => `Le champ « ${m[1]} » (type « ${m[2]} ») est obligatoire.`],
  [/^Must provide query string\.$/, () => 'La requête est vide.'],
  [/^This anonymous operation must be the only defined operation\.$/, () => 'Une opération sans nom doit être seule dans la requête.'],
  [/^Must provide operation name if query contains multiple operations\.$/, () => 'La requête contient plusieurs opérations : ne gardez que celle à exécuter.'],
  [/^Unknown fragment "([^"]+)"\.$/, (m) => `Le fragment « ${m[1]} » n’est pas défini.`],
];

/** { text, original }: original is set when the message was translated. */
function frenchMessage(message) {
  for (const [pattern, translate] of TRANSLATIONS) {
    const match = pattern.exec(message);
    if (match) return { text: translate(match), original: message };
  }
  return { text: message, original: null };
}

function renderErrors(errors) {
  const items = errors.map((error) => {
    const { text, original } = frenchMessage(error.message || 'Erreur sans message.');
    const where = (error.locations || []).map((location) =>
      el('button', { type: 'button', class: 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm', onclick: () => goTo(location.line, location.column) }, `ligne ${location.line}, colonne ${location.column}`),
    );
    return el(
      'li',
      { class: 'fr-mb-1w' },
      el('p', { class: 'fr-mb-0' }, text),
      where.length ? el('p', { class: 'fr-text--sm fr-mb-0' }, 'À la ', where) : null,
      error.path?.length ? el('p', { class: 'fr-text--sm fr-mb-0' }, `Champ : ${error.path.join('.')}`) : null,
      original ? el('p', { class: 'fr-text--xs fr-mb-0' }, `Message du serveur : ${original}`) : null,
    );
  });
  const title = errors.length === 1 ? 'La requête a une erreur' : `La requête a ${errors.length} erreurs`;
  show(errorsBox, el('div', { class: 'fr-alert fr-alert--error fr-alert--sm fr-mb-2w', role: 'alert' }, el('h3', { class: 'fr-alert__title' }, title), el('ul', {}, items)));
}

// ------------------------------------------------------------------------------------------- results

/**
 * The result as one flat table, the way a saved report's CSV flattens it: one row per element of the
 * innermost lists, parents' fields repeated, sibling lists one after the other, `nodes` left out of names.
 * Judged from the values (not the schema): a preview, the report's file is the reference.
 */
function flatten(value, prefix = '') {
  if (Array.isArray(value)) {
    const rows = value.filter((item) => item !== null).flatMap((item) => flatten(item, prefix));
    return rows.length ? rows : [{}];
  }
  if (value === null || typeof value !== 'object') return [{ [prefix]: value }];
  const own = {};
  const branches = [];
  for (const [key, child] of Object.entries(value)) {
    const path = key === 'nodes' && Array.isArray(child) ? prefix : prefix ? `${prefix}.${key}` : key;
    if (child !== null && typeof child === 'object') {
      const rows = flatten(child, path);
      if (Array.isArray(child) || rows.length > 1) {
        if (rows.some((row) => Object.keys(row).length)) branches.push(rows);
        else if (!Array.isArray(child)) Object.assign(own, rows[0]);
      } else Object.assign(own, rows[0]);
    } else own[path] = child;
  }
  if (!branches.length) return [own];
  return branches.flatMap((rows) => rows.map((row) => ({ ...own, ...row })));
}

const DECIMAL = /^-?\d+\.\d{2}$/;

function resultTable(data) {
  const rows = flatten(data);
  const columns = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  if (!columns.length) return el('p', {}, 'Le résultat ne contient aucune valeur.');
  // Decimal amounts come as exact strings with two decimals: shown with euros(), never through a float.
  const money = new Set(columns.filter((key) => rows.some((row) => row[key] != null) && rows.every((row) => row[key] == null || (typeof row[key] === 'string' && DECIMAL.test(row[key])))));
  const numeric = new Set(columns.filter((key) => rows.some((row) => typeof row[key] === 'number') && rows.every((row) => row[key] == null || typeof row[key] === 'number')));
  const shown = rows.slice(0, TABLE_ROW_LIMIT);
  const cell = (value, key) => {
    if (value === null || value === undefined) return '—';
    if (money.has(key)) return euros(value);
    if (typeof value === 'number') return value.toLocaleString('fr-FR', { maximumFractionDigits: 6 });
    return String(value);
  };
  return el(
    'div',
    {},
    el('p', { class: 'fr-text--sm' }, rows.length > TABLE_ROW_LIMIT ? `${TABLE_ROW_LIMIT} premières lignes sur ${rows.length}.` : `${rows.length} ligne${rows.length > 1 ? 's' : ''}.`, ' Une ligne par élément des listes les plus profondes, comme le CSV d’un rapport enregistré.'),
    el(
      'div',
      { class: 'crte-scroll', tabindex: '0', role: 'region', 'aria-label': 'Résultat en tableau' },
      table('Résultat de la requête, à plat', columns.map((key) => ({ label: key, numeric: money.has(key) || numeric.has(key), value: (row) => cell(row[key], key) })), shown),
    ),
  );
}

function renderResult() {
  if (lastData === null || lastData === undefined) return;
  const mode = document.querySelector('input[name="affichage"]:checked')?.value;
  if (mode === 'tableau') show(resultBox, resultTable(lastData));
  else show(resultBox, el('pre', { class: 'crte-result', tabindex: '0', role: 'region', 'aria-label': 'Résultat JSON' }, JSON.stringify(lastData, null, 2)));
}

/** Variables from their field: null when empty, else a JSON object, or an error in French. */
function readVariables() {
  const text = variablesInput.value.trim();
  if (!text) return { values: {}, text: null };
  let values;
  try {
    values = JSON.parse(text);
  } catch (error) {
    return { error: `Les variables ne sont pas un JSON valide : ${error.message}. Exemple : {"contract": "CRTE-DOUAISIS"}.` };
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return { error: 'Les variables doivent être un objet JSON, entre accolades : {"contract": "CRTE-DOUAISIS"}.' };
  return { values, text };
}

let running = false;

async function run() {
  if (running) return;
  const query = editor.value;
  show(errorsBox);
  if (!query.trim()) {
    show(errorsBox, alert('error', 'La requête est vide', 'Écrivez une requête ou chargez un exemple.'));
    return;
  }
  const variables = readVariables();
  if (variables.error) {
    show(errorsBox, alert('error', 'Variables invalides', variables.error));
    variablesInput.focus();
    return;
  }
  running = true;
  runButton.disabled = true;
  resultBox.setAttribute('aria-busy', 'true');
  show(runState, el('p', { class: 'fr-text--sm' }, 'Exécution en cours…'));
  const started = performance.now();
  try {
    const { status, body } = await post(query, variables.values);
    const elapsed = Math.round(performance.now() - started);
    if (!body) {
      lastData = null;
      show(resultBox);
      show(errorsBox, alert('error', 'Réponse illisible', `Le serveur a répondu ${status} sans données lisibles.`));
      show(runState, el('p', { class: 'fr-text--sm' }, 'La requête a échoué.'));
      return;
    }
    if (body.errors?.length) renderErrors(body.errors);
    lastData = body.data ?? null;
    if (lastData) renderResult();
    else show(resultBox, el('p', { class: 'fr-text--sm' }, 'Aucune donnée : la requête a été refusée.'));
    const count = body.errors?.length || 0;
    show(
      runState,
      el('p', { class: 'fr-text--sm' }, count ? (lastData ? `Résultat partiel en ${elapsed} ms, avec ${count} erreur${count > 1 ? 's' : ''}.` : `La requête a été refusée (${count} erreur${count > 1 ? 's' : ''}).`) : `Résultat reçu en ${elapsed} ms.`),
    );
  } catch (error) {
    show(errorsBox, alert('error', 'Le serveur ne répond pas', error.message));
    show(runState);
  } finally {
    running = false;
    runButton.disabled = false;
    resultBox.removeAttribute('aria-busy');
  }
}

// ------------------------------------------------------------------------------------------ examples

const exampleCache = new Map();

async function exampleText(file) {
  if (!exampleCache.has(file)) {
    const response = await fetch(`/examples/${encodeURIComponent(file)}`);
    if (!response.ok) throw new Error(`L’exemple ${file} est introuvable (${response.status}).`);
    exampleCache.set(file, await response.text());
  }
  return exampleCache.get(file);
}

/** The example's leading comment lines are its French description. */
function describeExample(text) {
  const lines = [];
  for (const line of text.split('\n')) {
    const match = /^\s*#\s?(.*)$/.exec(line);
    if (!match) break;
    lines.push(match[1].trim());
  }
  return lines.join(' ');
}

async function loadExamples() {
  try {
    const response = await fetch('/examples/index.json');
    const files = await response.json();
    for (const file of files) exampleSelect.append(el('option', { value: file }, file.replace(/\.graphql$/, '')));
  } catch (error) {
    show(exampleDescription, alert('error', 'Exemples indisponibles', error.message));
  }
}

async function previewExample() {
  const file = exampleSelect.value;
  if (!file) return;
  try {
    const description = describeExample(await exampleText(file));
    show(exampleDescription, el('p', { class: 'fr-text--sm' }, el('strong', {}, `${file.replace(/\.graphql$/, '')} : `), description || 'sans description.'));
  } catch (error) {
    show(exampleDescription, alert('error', 'Exemple indisponible', error.message));
  }
}

async function loadExample() {
  const file = exampleSelect.value;
  if (!file) {
    show(exampleDescription, alert('info', null, 'Choisissez d’abord un exemple dans la liste.'));
    exampleSelect.focus();
    return;
  }
  try {
    const text = await exampleText(file);
    editor.value = text.replace(/\s+$/, '\n');
    // The examples declare defaults for their variables: none to give.
    variablesInput.value = '';
    if (!reportName.value) reportName.value = file.replace(/\.graphql$/, '');
    show(exampleDescription, el('p', { class: 'fr-text--sm' }, el('strong', {}, `Exemple « ${file.replace(/\.graphql$/, '')} » chargé : `), describeExample(text) || 'sans description.'));
    editor.focus();
    editor.setSelectionRange(0, 0);
    editor.scrollTop = 0;
  } catch (error) {
    show(exampleDescription, alert('error', 'Exemple indisponible', error.message));
  }
}

// ------------------------------------------------------------------------------------- documentation

const INTROSPECTION = `query Documentation {
  __schema {
    queryType { name }
    mutationType { name }
    types {
      kind name description
      fields { name description args { name description type { ...TypeRef } defaultValue } type { ...TypeRef } }
      inputFields { name description type { ...TypeRef } defaultValue }
      enumValues { name description }
    }
  }
}
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`;

const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

function typeString(type) {
  if (type.kind === 'NON_NULL') return `${typeString(type.ofType)}!`;
  if (type.kind === 'LIST') return `[${typeString(type.ofType)}]`;
  return type.name;
}

/** One model for both sources: { query, mutation, types: [{ kind, name, description, fields, values }] }. */
function modelFromIntrospection(schema) {
  const field = (f) => ({
    name: f.name,
    description: f.description || '',
    type: typeString(f.type),
    defaultValue: f.defaultValue ?? null,
    args: (f.args || []).map((a) => ({ name: a.name, description: a.description || '', type: typeString(a.type), defaultValue: a.defaultValue ?? null })),
  });
  return {
    query: schema.queryType?.name || 'Query',
    mutation: schema.mutationType?.name || null,
    types: schema.types
      .filter((t) => !t.name.startsWith('__'))
      .map((t) => ({
        kind: t.kind,
        name: t.name,
        description: t.description || '',
        fields: (t.fields || t.inputFields || []).map(field),
        values: (t.enumValues || []).map((v) => ({ name: v.name, description: v.description || '' })),
      })),
  };
}

function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/[\s,\ufeff]/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('"""', i)) {
      let end = text.indexOf('"""', i + 3);
      while (end > 0 && text[end - 1] === '\\') end = text.indexOf('"""', end + 3);
      if (end < 0) end = text.length;
      const raw = text.slice(i + 3, end).replace(/\\"""/g, '"""');
      tokens.push({ kind: 'string', value: raw.split('\n').map((line) => line.trim()).filter(Boolean).join(' ') });
      i = end + 3;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') {
        if (text[j] === '\\') {
          const escaped = text[j + 1];
          if (escaped === 'u') {
            value += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          value += { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }[escaped] ?? escaped;
          j += 2;
        } else value += text[j++];
      }
      tokens.push({ kind: 'string', value });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < text.length && /\w/.test(text[j])) j++;
      tokens.push({ kind: 'name', value: text.slice(i, j) });
      i = j;
    } else if (/[-\d]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[\w.+-]/.test(text[j])) j++;
      tokens.push({ kind: 'number', value: text.slice(i, j) });
      i = j;
    } else if (text.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...' });
      i += 3;
    } else {
      tokens.push({ kind: 'punct', value: c });
      i++;
    }
  }
  return tokens;
}

/** Reads the SDL of /schema.graphql (as graphql-js prints it) into the documentation's model. */
function modelFromSdl(text) {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const next = () => tokens[p++];
  const is = (value) => tokens[p]?.kind === 'punct' && tokens[p].value === value;
  const expect = (value) => {
    if (!is(value)) throw new Error(`« ${value} » attendu dans le schéma, « ${tokens[p]?.value ?? 'fin'} » trouvé.`);
    p++;
  };
  const description = () => (peek()?.kind === 'string' ? next().value : '');
  const typeRef = () => {
    let type;
    if (is('[')) {
      next();
      type = `[${typeRef()}]`;
      expect(']');
    } else type = next().value;
    if (is('!')) {
      next();
      type += '!';
    }
    return type;
  };
  const value = () => {
    if (is('[') || is('{')) {
      const open = next().value;
      const close = open === '[' ? ']' : '}';
      const parts = [];
      while (p < tokens.length && !is(close)) {
        if (open === '{') {
          const key = next().value;
          expect(':');
          parts.push(`${key}: ${value()}`);
        } else parts.push(value());
      }
      next();
      return open === '[' ? `[${parts.join(', ')}]` : `{${parts.join(', ')}}`;
    }
    const token = next();
    if (token.kind === 'string') return JSON.stringify(token.value);
    if (token.value === '$') return `$${next().value}`;
    return token.value;
  };
  const directives = () => {
    while (is('@')) {
      next();
      next();
      if (is('(')) {
        let depth = 0;
        do {
          if (is('(')) depth++;
          else if (is(')')) depth--;
          next();
        } while (depth > 0 && p < tokens.length);
      }
    }
  };
  const args = () => {
    const list = [];
    if (!is('(')) return list;
    next();
    while (p < tokens.length && !is(')')) {
      const text = description();
      const name = next().value;
      expect(':');
      const type = typeRef();
      let defaultValue = null;
      if (is('=')) {
        next();
        defaultValue = value();
      }
      directives();
      list.push({ name, description: text, type, defaultValue });
    }
    expect(')');
    return list;
  };
  const fields = () => {
    const list = [];
    if (!is('{')) return list;
    next();
    while (p < tokens.length && !is('}')) {
      const text = description();
      const name = next().value;
      const fieldArgs = args();
      expect(':');
      const type = typeRef();
      let defaultValue = null;
      if (is('=')) {
        next();
        defaultValue = value();
      }
      directives();
      list.push({ name, description: text, type, defaultValue, args: fieldArgs });
    }
    expect('}');
    return list;
  };
  const model = { query: 'Query', mutation: null, types: [] };
  let schemaMutation = null;
  while (p < tokens.length) {
    const text = description();
    let keyword = next().value;
    if (keyword === 'extend') keyword = next().value;
    if (keyword === 'schema') {
      directives();
      expect('{');
      while (p < tokens.length && !is('}')) {
        const operation = next().value;
        expect(':');
        const name = next().value;
        if (operation === 'query') model.query = name;
        if (operation === 'mutation') schemaMutation = name;
      }
      expect('}');
      continue;
    }
    if (keyword === 'directive') {
      expect('@');
      next();
      args();
      while (peek() && (is('|') || (peek().kind === 'name' && /^(repeatable|on|[A-Z_]+)$/.test(peek().value)))) next();
      continue;
    }
    const name = next().value;
    if (keyword === 'type' || keyword === 'interface' || keyword === 'input') {
      if (peek()?.value === 'implements') {
        next();
        while (peek() && (is('&') || peek().kind === 'name')) next();
      }
      directives();
      const kind = keyword === 'input' ? 'INPUT_OBJECT' : keyword === 'interface' ? 'INTERFACE' : 'OBJECT';
      model.types.push({ kind, name, description: text, fields: fields(), values: [] });
    } else if (keyword === 'enum') {
      directives();
      const values = [];
      expect('{');
      while (p < tokens.length && !is('}')) {
        const valueText = description();
        values.push({ name: next().value, description: valueText });
        directives();
      }
      expect('}');
      model.types.push({ kind: 'ENUM', name, description: text, fields: [], values });
    } else if (keyword === 'scalar') {
      directives();
      model.types.push({ kind: 'SCALAR', name, description: text, fields: [], values: [] });
    } else if (keyword === 'union') {
      directives();
      const members = [];
      if (is('=')) {
        next();
        if (is('|')) next();
        members.push(next().value);
        while (is('|')) {
          next();
          members.push(next().value);
        }
      }
      model.types.push({ kind: 'UNION', name, description: text ? `${text} (${members.join(' | ')})` : members.join(' | '), fields: [], values: [] });
    } else {
      throw new Error(`Définition inconnue dans le schéma : « ${keyword} ».`);
    }
  }
  model.mutation = schemaMutation ?? (model.types.some((type) => type.name === 'Mutation') ? 'Mutation' : null);
  return model;
}

const KIND_LABELS = {
  OBJECT: 'type',
  INPUT_OBJECT: 'entrée',
  ENUM: 'liste de valeurs',
  SCALAR: 'scalaire',
  INTERFACE: 'interface',
  UNION: 'union',
};

const normalise = (text) =>
  String(text)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

let documentedTypes = new Set();
const docItems = [];

function typeLink(type) {
  const name = type.replace(/[[\]!]/g, '');
  if (!documentedTypes.has(name)) return type;
  const [before, after] = type.split(name);
  return [before, el('a', { href: `#type-${name}`, class: 'fr-link', onclick: (event) => openType(event, name) }, name), after];
}

function fieldItem(field) {
  const args = field.args || [];
  // el() flattens one level only: the signature's parts are flattened here.
  const parts = [
    el('strong', {}, field.name),
    args.length ? ['(', args.map((arg, i) => [i ? ', ' : '', `${arg.name}: `, typeLink(arg.type), arg.defaultValue !== null ? ` = ${arg.defaultValue}` : '']), ')'] : '',
    ': ',
    typeLink(field.type),
    field.defaultValue !== null && field.defaultValue !== undefined ? ` = ${field.defaultValue}` : '',
  ].flat(Infinity);
  const signature = el('code', {}, parts);
  const documentedArgs = args.filter((arg) => arg.description);
  return el(
    'li',
    { class: 'fr-mb-1w' },
    signature,
    field.description ? el('p', { class: 'fr-text--sm fr-mb-0' }, field.description) : null,
    documentedArgs.length ? el('ul', { class: 'fr-text--xs fr-mb-0' }, documentedArgs.map((arg) => el('li', {}, el('code', {}, arg.name), ` : ${arg.description}`))) : null,
  );
}

function searchText(...parts) {
  return normalise(parts.flat(Infinity).filter(Boolean).join(' '));
}

function fieldSearchText(field) {
  return searchText(field.name, field.description, field.type, (field.args || []).map((arg) => [arg.name, arg.type, arg.description]));
}

function renderDocumentation(model, source) {
  documentedTypes = new Set(model.types.filter((type) => !BUILT_IN_SCALARS.has(type.name)).map((type) => type.name));
  docItems.length = 0;
  const queryType = model.types.find((type) => type.name === model.query);
  const queryFields = [...(queryType?.fields || [])].sort((a, b) => a.name.localeCompare(b.name));
  const list = document.getElementById('champs-query');
  show(
    list,
    queryFields.map((field) => {
      const item = fieldItem(field);
      docItems.push({ kind: 'query', node: item, text: fieldSearchText(field) });
      return item;
    }),
  );

  const types = model.types.filter((type) => type.name !== model.query && !BUILT_IN_SCALARS.has(type.name)).sort((a, b) => a.name.localeCompare(b.name));
  const sections = types.map((type) => {
    const id = `doc-${type.name}`;
    const members = type.kind === 'ENUM' ? type.values.map((value) => ({ item: el('li', { class: 'fr-mb-1w' }, el('code', {}, el('strong', {}, value.name)), value.description ? el('p', { class: 'fr-text--sm fr-mb-0' }, value.description) : null), text: searchText(value.name, value.description) })) : type.fields.map((field) => ({ item: fieldItem(field), text: fieldSearchText(field) }));
    const label = type.name === model.mutation ? `${type.name} (modifications)` : `${type.name} (${KIND_LABELS[type.kind] || type.kind.toLowerCase()})`;
    // The DSFR accordion's look, opened by this page: with `fr-collapse` panels, the DSFR script instantiated
    // each of the ~100 types' panels and froze the page for 4–5 s after it loaded (long tasks measured).
    const button = el('button', { type: 'button', class: 'fr-accordion__btn', 'aria-expanded': 'false', 'aria-controls': id, onclick: toggleType }, label);
    const section = el(
      'section',
      { class: 'fr-accordion', id: `type-${type.name}` },
      el('h4', { class: 'fr-accordion__title' }, button),
      el(
        'div',
        { class: 'crte-doc-panel', id, hidden: true },
        type.description ? el('p', { class: 'fr-text--sm' }, type.description) : null,
        members.length ? el('ul', { class: 'fr-raw-list' }, members.map((member) => member.item)) : el('p', { class: 'fr-text--sm' }, type.kind === 'SCALAR' ? 'Valeur simple (scalaire).' : 'Aucun champ.'),
      ),
    );
    docItems.push({ kind: 'type', node: section, text: searchText(type.name, type.description), members });
    return section;
  });
  show('types-documentation', el('div', { class: 'fr-accordions-group', 'data-fr-group': 'false' }, sections));
  show(
    'source-documentation',
    source === 'introspection'
      ? `D’après le schéma du serveur (introspection) : ${queryFields.length} lectures, ${types.length} types.`
      : [`D’après le fichier `, el('a', { href: '/schema.graphql', class: 'fr-link' }, 'schema.graphql'), ` (l’introspection est fermée sur ce serveur) : ${queryFields.length} lectures, ${types.length} types.`],
  );
  filterDocumentation();
}

function filterDocumentation() {
  const term = normalise(document.getElementById('filtre-documentation').value.trim());
  let fields = 0;
  let types = 0;
  for (const item of docItems) {
    if (item.kind === 'query') {
      item.node.hidden = Boolean(term) && !item.text.includes(term);
      if (!item.node.hidden) fields++;
    } else {
      const own = !term || item.text.includes(term);
      let visibleMembers = 0;
      for (const member of item.members) {
        member.item.hidden = !own && !member.text.includes(term);
        if (!member.item.hidden) visibleMembers++;
      }
      item.node.hidden = !own && visibleMembers === 0;
      if (!item.node.hidden) types++;
    }
  }
  show('compte-documentation', term ? `${fields} lecture${fields > 1 ? 's' : ''} et ${types} type${types > 1 ? 's' : ''} correspondent.` : '');
}

function toggleType(event) {
  const button = event.currentTarget;
  const open = button.getAttribute('aria-expanded') !== 'true';
  button.setAttribute('aria-expanded', String(open));
  document.getElementById(button.getAttribute('aria-controls')).hidden = !open;
}

function openType(event, name) {
  event.preventDefault();
  const section = document.getElementById(`type-${name}`);
  if (!section) return;
  if (section.hidden) {
    document.getElementById('filtre-documentation').value = '';
    filterDocumentation();
  }
  const button = section.querySelector('.fr-accordion__btn');
  if (button.getAttribute('aria-expanded') !== 'true') button.click();
  button.focus();
  section.scrollIntoView({ block: 'start' });
}

async function loadDocumentation() {
  // Introspection is closed in production (NODE_ENV=production): the published schema file says the same.
  try {
    const { body } = await post(INTROSPECTION, {});
    if (body?.data?.__schema) return renderDocumentation(modelFromIntrospection(body.data.__schema), 'introspection');
  } catch {
    // fall through to the file
  }
  try {
    const response = await fetch('/schema.graphql');
    if (!response.ok) throw new Error(`le serveur a répondu ${response.status}`);
    renderDocumentation(modelFromSdl(await response.text()), 'fichier');
  } catch (error) {
    show('source-documentation', alert('error', 'Documentation indisponible', `Le schéma n’a pas pu être lu : ${error.message}`));
  }
}

// -------------------------------------------------------------------------------------------- reports

const canWrite = () => identity && (identity.role === 'ADMIN' || identity.role === 'EDITOR');

async function refreshIdentity() {
  saveButton.disabled = true;
  if (!currentToken()) {
    identity = null;
    show(saveReason, 'Enregistrement impossible sans jeton : saisissez un jeton d’éditeur ou d’administrateur avec le bouton « Jeton d’accès » en haut de la page.');
    return;
  }
  show(saveReason, 'Vérification du jeton…');
  try {
    identity = await me();
  } catch (error) {
    identity = null;
    show(saveReason, `Enregistrement impossible : le jeton enregistré est refusé (${error.message}).`);
    return;
  }
  if (!identity) {
    show(saveReason, 'Enregistrement impossible : le jeton enregistré n’est pas reconnu.');
  } else if (!canWrite()) {
    show(saveReason, `Enregistrement impossible : le jeton « ${identity.name} » est un jeton de ${roleName(identity.role)}, en lecture seule. Il faut un jeton d’éditeur ou d’administrateur.`);
  } else {
    saveButton.disabled = false;
    show(saveReason, `Jeton « ${identity.name} » (${roleName(identity.role)}) : vous pouvez enregistrer et supprimer des rapports.`);
  }
}

function setNameError(message) {
  const group = document.getElementById('groupe-nom-rapport');
  group.classList.toggle('fr-input-group--error', Boolean(message));
  reportName.classList.toggle('fr-input--error', Boolean(message));
  reportName.setAttribute('aria-invalid', message ? 'true' : 'false');
  // The DSFR's error text always shows its icon: the paragraph exists only with a message.
  show(reportNameError, message ? el('p', { class: 'fr-error-text' }, message) : null);
}

const absolute = (path) => new URL(path, location.origin).href;

let copyCounter = 0;

function urlField(label, hint, url) {
  const id = `adresse-${++copyCounter}`;
  const input = el('input', { class: 'fr-input', type: 'text', id, readonly: true, value: url, spellcheck: 'false' });
  const button = el('button', { type: 'button', class: 'fr-btn fr-btn--secondary', onclick: () => copy(input, label) }, 'Copier', el('span', { class: 'fr-sr-only' }, ` l’adresse ${label}`));
  input.addEventListener('focus', () => input.select());
  return el(
    'div',
    { class: 'fr-input-group' },
    el('label', { class: 'fr-label', for: id }, `Adresse ${label}`, el('span', { class: 'fr-hint-text' }, hint)),
    el('div', { class: 'fr-input-wrap fr-input-wrap--addon' }, input, button),
  );
}

async function copy(input, label) {
  const state = document.getElementById('etat-rapport');
  try {
    if (!navigator.clipboard?.writeText) throw new Error('presse-papiers indisponible');
    await navigator.clipboard.writeText(input.value);
    show(state, alert('success', null, `Adresse ${label} copiée dans le presse-papiers.`));
  } catch {
    // Without clipboard permission (or over plain HTTP), the text is selected for Ctrl+C.
    input.focus();
    input.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    show(state, alert(copied ? 'success' : 'info', null, copied ? `Adresse ${label} copiée dans le presse-papiers.` : `Adresse ${label} sélectionnée : copiez-la avec Ctrl+C (⌘+C sur Mac).`));
  }
}

function showReportUrls(report) {
  copyCounter = 0;
  const downloads = [
    ['CSV', report.urls.csv],
    ['CSV français', `${report.urls.csv}?format=fr`],
    ['xlsx', report.urls.xlsx],
    ['JSON', report.urls.json],
  ];
  show(
    'adresses-rapport',
    el(
      'div',
      { class: 'fr-callout fr-mt-2w', id: 'adresses' },
      el('h3', { class: 'fr-callout__title fr-h5' }, `Adresses du rapport « ${report.name} »`),
      el('p', { class: 'fr-text--sm' }, 'À coller dans l’outil de BI (Power BI, Excel « À partir du web », Metabase…) : il relance la requête à chaque actualisation. Ajoutez ?var.NOM=VALEUR pour changer une variable.'),
      urlField('CSV', 'Séparateur « , » et point décimal : pour Power BI, Metabase et les scripts.', absolute(report.urls.csv)),
      urlField('CSV à la française', 'Séparateur « ; », virgule décimale, accents lisibles dans Excel.', absolute(`${report.urls.csv}?format=fr`)),
      urlField('xlsx', 'Classeur Excel, montants en nombres.', absolute(report.urls.xlsx)),
      urlField('JSON', 'Tableau d’objets, montants en chaînes exactes.', absolute(report.urls.json)),
      el(
        'ul',
        { class: 'fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-btns-group--icon-left' },
        downloads.map(([label, path]) =>
          el('li', {}, el('button', { type: 'button', class: 'fr-btn fr-btn--tertiary fr-icon-download-line', onclick: () => downloadReport(path) }, `Télécharger (${label})`)),
        ),
      ),
    ),
  );
}

async function downloadReport(path) {
  try {
    await download(path);
  } catch (error) {
    show('etat-rapport', alert('error', 'Téléchargement refusé', error.message));
  }
}

async function saveReport(event) {
  event.preventDefault();
  const state = document.getElementById('etat-rapport');
  show(state);
  if (!canWrite()) return;
  const name = reportName.value.trim();
  if (!REPORT_NAME_PATTERN.test(name)) {
    setNameError(name ? 'Nom invalide : seulement des lettres sans accents, des chiffres, « - » et « _ » (100 au plus), sans espace.' : 'Donnez un nom au rapport, par exemple suivi-bdt.');
    reportName.focus();
    return;
  }
  setNameError(null);
  const variables = readVariables();
  if (variables.error) {
    show(state, alert('error', 'Variables invalides', variables.error));
    return;
  }
  saveButton.disabled = true;
  show(state, el('p', { class: 'fr-text--sm' }, 'Enregistrement…'));
  try {
    const data = await request(
      `mutation SaveReport($name: String!, $query: String!, $variables: String) {
        saveReport(name: $name, query: $query, variables: $variables) { name query variables updatedAt urls { csv xlsx json } }
      }`,
      { name, query: editor.value, variables: variables.text },
    );
    show(state, alert('success', null, `Rapport « ${data.saveReport.name} » enregistré.`));
    showReportUrls(data.saveReport);
    await loadReports();
  } catch (error) {
    show(state, alert('error', 'Rapport non enregistré', error.message));
  } finally {
    saveButton.disabled = !canWrite();
  }
}

function openReport(report) {
  editor.value = report.query;
  variablesInput.value = report.variables ? JSON.stringify(JSON.parse(report.variables), null, 2) : '';
  reportName.value = report.name;
  setNameError(null);
  showReportUrls(report);
  show('etat-rapport', alert('info', null, `Rapport « ${report.name} » ouvert dans l’éditeur.`));
  editor.focus();
}

function deleteCell(report) {
  const cell = el('div', {});
  const ask = () =>
    show(
      cell,
      el('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left', onclick: confirm }, 'Supprimer', el('span', { class: 'fr-sr-only' }, ` le rapport ${report.name}`)),
    );
  const confirm = () => {
    const yes = el('button', { type: 'button', class: 'fr-btn fr-btn--sm', onclick: () => remove(report) }, `Confirmer la suppression de « ${report.name} »`);
    show(cell, el('p', { class: 'fr-text--sm fr-mb-1w' }, 'Les outils qui lisent ses adresses ne pourront plus l’actualiser.'), el('ul', { class: 'fr-btns-group fr-btns-group--inline fr-btns-group--sm' }, el('li', {}, yes), el('li', {}, el('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary', onclick: () => { ask(); cell.querySelector('button')?.focus(); } }, 'Annuler'))));
    yes.focus();
  };
  ask();
  return cell;
}

async function remove(report) {
  const state = document.getElementById('etat-rapports');
  try {
    const data = await request('mutation DeleteReport($name: String!) { deleteReport(name: $name) }', { name: report.name });
    show(state, alert('success', null, data.deleteReport ? `Rapport « ${report.name} » supprimé.` : `Le rapport « ${report.name} » n’existait plus.`));
    if (document.querySelector('#adresses h3')?.textContent.includes(`« ${report.name} »`)) show('adresses-rapport');
  } catch (error) {
    show(state, alert('error', 'Rapport non supprimé', error.message));
  }
  await loadReports();
}

async function loadReports() {
  try {
    const { reports } = await request('{ reports { name query variables updatedAt urls { csv xlsx json } } }');
    const columns = [
      { label: 'Nom', value: (report) => el('code', {}, report.name) },
      { label: 'Modifié le', value: (report) => dateTime(report.updatedAt) },
      { label: 'CSV', value: (report) => el('a', { href: report.urls.csv, class: 'fr-link' }, report.urls.csv) },
      {
        label: 'Actions',
        value: (report) =>
          el(
            'div',
            {},
            el('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--secondary fr-mb-1w', onclick: () => openReport(report) }, 'Ouvrir', el('span', { class: 'fr-sr-only' }, ` le rapport ${report.name} dans l’éditeur`)),
            canWrite() ? deleteCell(report) : null,
          ),
      },
    ];
    // The DSFR table grows to its content: the wrapper scrolls instead of the page (375 px screens).
    show('liste-rapports', el('div', { style: 'overflow-x: auto' }, table('Rapports enregistrés', columns, reports, { emptyText: 'Aucun rapport enregistré.', id: 'tableau-rapports' })));
  } catch (error) {
    show('liste-rapports', alert('error', 'Rapports indisponibles', error.message));
  }
}

// ------------------------------------------------------------------------------------------- wiring

wireEditorKeys(editor);
wireEditorKeys(variablesInput);
document.getElementById('formulaire-requete').addEventListener('submit', (event) => {
  event.preventDefault();
  run();
});
for (const radio of document.querySelectorAll('input[name="affichage"]')) radio.addEventListener('change', renderResult);
exampleSelect.addEventListener('change', previewExample);
document.getElementById('charger-exemple').addEventListener('click', loadExample);
document.getElementById('filtre-documentation').addEventListener('input', filterDocumentation);
document.getElementById('formulaire-rapport').addEventListener('submit', saveReport);
reportName.addEventListener('input', () => {
  if (reportName.getAttribute('aria-invalid') === 'true' && REPORT_NAME_PATTERN.test(reportName.value.trim())) setNameError(null);
});
document.addEventListener('crte:token', async () => {
  await refreshIdentity();
  await loadReports();
});

loadExamples();
loadDocumentation();
refreshIdentity().then(loadReports);
