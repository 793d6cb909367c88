// Shared by every page: the GraphQL and HTTP clients (with the token kept in this browser), exact
// French formatting of amounts, and a small DOM builder that never interprets text as HTML.

const TOKEN_KEY = 'crte.jeton';

export function currentToken() {
  return localStorage.getItem(TOKEN_KEY) || '';
}

function authHeaders() {
  const token = currentToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Runs a GraphQL operation; throws an Error whose message is the server's (French) message. */
export async function graphql(query, variables = {}) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders() },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`Le serveur a répondu ${response.status} sans données lisibles.`);
  }
  if (body.errors?.length) {
    const error = new Error(body.errors.map((one) => one.message).join(' ; '));
    // The server's errors as given: a form reads each field's own message in extensions.fields.
    error.errors = body.errors;
    throw error;
  }
  return body.data;
}

/** Calls an HTTP route of the API; returns { status, body } (body parsed when JSON). */
export async function callApi(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), ...authHeaders() } });
  const type = response.headers.get('content-type') || '';
  const body = type.includes('json') ? await response.json() : await response.text();
  return { status: response.status, ok: response.ok, body };
}

/**
 * POSTs a form with the token, telling `onSent(sent, total)` as the bytes leave (fetch cannot), then
 * `onSent(total, total, true)` once the server has everything and works on it. Same answer as callApi.
 */
export function uploadWithProgress(path, form, onSent) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onSent(event.loaded, event.total, false);
    });
    request.upload.addEventListener('load', (event) => onSent(event.total || event.loaded, event.total || event.loaded, true));
    request.addEventListener('load', () => {
      const type = request.getResponseHeader('content-type') || '';
      let body = request.responseText;
      if (type.includes('json')) {
        try {
          body = JSON.parse(body);
        } catch {
          body = {};
        }
      }
      resolve({ status: request.status, ok: request.status >= 200 && request.status < 300, body });
    });
    request.addEventListener('error', () => reject(new Error('connexion interrompue')));
    request.addEventListener('abort', () => reject(new Error('envoi interrompu')));
    request.send(form);
  });
}

/** Downloads a file from the API with the token, under the name the server gives. */
export async function download(path) {
  const response = await fetch(path, { headers: authHeaders() });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error || `Téléchargement refusé (${response.status}).`);
  }
  const disposition = response.headers.get('content-disposition') || '';
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] || path.split('/').pop().split('?')[0];
  const url = URL.createObjectURL(await response.blob());
  const link = el('a', { href: url, download: decodeURIComponent(name) });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const GROUP = '\u202f';

/** "1234567.5" → "1 234 567,50 €", from the decimal string itself: never through a float. */
export function euros(decimal) {
  if (decimal === null || decimal === undefined || decimal === '') return '—';
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(decimal));
  if (!match) return String(decimal);
  const [, sign, whole, fraction = ''] = match;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
  return `${sign ? '−' : ''}${grouped},${(fraction + '00').slice(0, 2)}${'\u00a0'}€`;
}

/**
 * What a person types as euros (« 12 345,67 », « 12345.6 », « 1 234 € ») → the exact decimal string
 * ("12345.67"), from the text itself: never through a float. Null when it is not an amount (a negative,
 * more than two decimals, two decimal points).
 */
export function parseEuros(text) {
  const compact = String(text ?? '').replace(/[\s\u00a0\u202f]/g, '').replace(/€$/, '');
  const match = /^(\d+)(?:[,.](\d{1,2}))?$/.exec(compact);
  if (!match) return null;
  const whole = match[1].replace(/^0+(?=\d)/, '');
  return `${whole}.${(match[2] || '').padEnd(2, '0')}`;
}

/** Field errors the DSFR way: the group and the field marked, the message tied by aria-describedby. */
export function setFieldError(input, message) {
  const group = input.closest('.fr-input-group, .fr-select-group');
  const kind = group?.classList.contains('fr-select-group') ? 'select' : 'input';
  group?.classList.add(`fr-${kind}-group--error`);
  input.classList.add(`fr-${kind}--error`);
  input.setAttribute('aria-invalid', 'true');
  const id = `${input.id}-erreur`;
  let text = document.getElementById(id);
  if (!text) {
    text = el('p', { id, class: 'fr-error-text' });
    (group || input.parentElement).append(text);
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
  }
  text.textContent = message;
}

export function clearFieldErrors(form) {
  for (const text of form.querySelectorAll('.fr-error-text')) {
    const input = form.querySelector(`[aria-describedby~="${text.id}"]`);
    if (input) {
      const rest = input.getAttribute('aria-describedby').split(' ').filter((id) => id !== text.id);
      if (rest.length) input.setAttribute('aria-describedby', rest.join(' '));
      else input.removeAttribute('aria-describedby');
    }
    text.remove();
  }
  for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
  for (const name of ['input-group', 'select-group', 'input', 'select']) for (const node of form.querySelectorAll(`.fr-${name}--error`)) node.classList.remove(`fr-${name}--error`);
}

/** Whether the token may write at all (its reach is the API's to decide). */
export function mayWrite(viewer) {
  return viewer?.role === 'ADMIN' || viewer?.role === 'EDITOR';
}

/** A ratio (0.1234) as "12,3 %". */
export function percent(ratio) {
  if (ratio === null || ratio === undefined) return '—';
  return `${(ratio * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })}${'\u00a0'}%`;
}

/**
 * A ratio given as an exact decimal string ("0.0021", the API's rates) as a percentage with the string's own
 * precision less two places ("0,21 %"): the decimal point moves, nothing is rounded again, no float.
 */
export function ratePercent(decimal) {
  if (decimal === null || decimal === undefined || decimal === '') return '—';
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(String(decimal));
  if (!match) return String(decimal);
  const [, sign, whole, fraction = ''] = match;
  const digits = `${whole}${fraction.padEnd(2, '0')}`;
  const point = whole.length + 2;
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const decimals = digits.slice(point);
  const zero = /^0*$/.test(integer + decimals);
  return `${sign && !zero ? '−' : ''}${integer.replace(/\B(?=(\d{3})+(?!\d))/g, GROUP)}${decimals ? `,${decimals}` : ''}${'\u00a0'}%`;
}

/** An exact decimal string → integer cents (BigInt), for sums on the page. */
export function cents(decimal) {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(decimal));
  if (!match) return 0n;
  const value = BigInt(match[2]) * 100n + BigInt((match[3] || '').padEnd(2, '0') || '0');
  return match[1] ? -value : value;
}

export function centsToDecimal(value) {
  const negative = value < 0n;
  const absolute = negative ? -value : value;
  return `${negative ? '-' : ''}${absolute / 100n}.${String(absolute % 100n).padStart(2, '0')}`;
}

export function dateTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
}

/** el('p', { class: 'fr-text' }, 'texte', child…): text children are always text. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * A DSFR table. columns: [{ label, value: row => text|Node, numeric? }]; an empty list says so.
 */
export function table(caption, columns, rows, { emptyText = 'Aucune ligne.', id } = {}) {
  const head = el('thead', {}, el('tr', {}, columns.map((column) => el('th', { scope: 'col', class: column.numeric ? 'crte-num' : column.wrap ? 'fr-cell--multiline' : null }, column.label))));
  const body = el(
    'tbody',
    {},
    rows.length
      ? rows.map((row) => el('tr', {}, columns.map((column) => el('td', { class: column.numeric ? 'crte-num' : column.wrap ? `fr-cell--multiline crte-wrap${column.wrap === 'words' ? ' crte-wrap--words' : ''}` : null }, column.value(row) ?? '—'))))
      : el('tr', {}, el('td', { colspan: columns.length }, emptyText)),
  );
  // A narrow screen scrolls a wide table sideways: its frame is a named region the keyboard can reach and scroll.
  return el('div', { class: 'fr-table fr-table--no-caption crte-table', id }, el('div', { class: 'fr-table__wrapper' }, el('div', { class: 'fr-table__container', tabindex: '0', role: 'region', 'aria-label': caption }, el('div', { class: 'fr-table__content' }, el('table', {}, el('caption', {}, caption), head, body)))));
}

export function alert(kind, title, text) {
  return el('div', { class: `fr-alert fr-alert--${kind} fr-alert--sm fr-mb-2w`, role: kind === 'error' ? 'alert' : 'status' }, title ? el('h3', { class: 'fr-alert__title' }, title) : null, text ? el('p', {}, text) : null);
}

/** Replaces the children of `target` (an element or its id). */
export function show(target, ...children) {
  const node = typeof target === 'string' ? document.getElementById(target) : target;
  node.replaceChildren(...children.flat().filter(Boolean));
  return node;
}

/** Who holds the token (null without one). */
export async function me() {
  if (!currentToken()) return null;
  const data = await graphql('{ me { name role organisation { id name shortName } } }');
  return data.me;
}

export async function contracts() {
  return (await graphql('{ contracts { code name startYear endYear } }')).contracts;
}

function wireTokenDialog() {
  const form = document.getElementById('formulaire-jeton');
  const input = document.getElementById('jeton');
  const state = document.getElementById('jeton-etat');
  if (!form) return;
  const describe = async () => {
    if (!currentToken()) return show(state, 'Aucun jeton : vous pouvez consulter, pas déposer.');
    try {
      const who = await me();
      show(state, who ? `Jeton de « ${who.name} » (${who.role.toLowerCase()}${who.organisation ? `, ${who.organisation.name}` : ''}).` : 'Jeton enregistré.');
    } catch (error) {
      show(state, `Ce jeton est refusé : ${error.message}`);
    }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    localStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = '';
    await describe();
    document.dispatchEvent(new CustomEvent('crte:token'));
  });
  document.getElementById('oublier-jeton').addEventListener('click', async () => {
    localStorage.removeItem(TOKEN_KEY);
    await describe();
    document.dispatchEvent(new CustomEvent('crte:token'));
  });
  describe();
}

wireTokenDialog();
