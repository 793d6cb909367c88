/**
 * Which sheets of an ods file are hidden. xlsx 0.18.5 does not say: in OpenDocument a sheet is hidden by
 * its automatic table style (`<style:style style:family="table">` holding
 * `<style:table-properties table:display="false"/>`), which the library ignores.
 *
 * Scans `content.xml` as bytes with indexOf (linear, no regular expression), reading only the attributes of
 * the `style:style` and `table:table` start tags.
 */

/** Attributes of one start tag, `<a:b x="1" y='2'>` → { x: '1', y: '2' }. Values are XML-unescaped. */
export function parseTagAttributes(tag: string): Record<string, string> {
  const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = tag.indexOf(' ');
  if (i < 0) return attributes;
  const n = tag.length;
  while (i < n) {
    while (i < n && isSpace(tag.charCodeAt(i))) i++;
    const nameStart = i;
    while (i < n && tag[i] !== '=' && !isSpace(tag.charCodeAt(i)) && tag[i] !== '>' && tag[i] !== '/') i++;
    const name = tag.slice(nameStart, i);
    while (i < n && isSpace(tag.charCodeAt(i))) i++;
    if (tag[i] !== '=') {
      i++;
      continue;
    }
    i++;
    while (i < n && isSpace(tag.charCodeAt(i))) i++;
    const quote = tag[i];
    if (quote !== '"' && quote !== "'") continue;
    const valueEnd = tag.indexOf(quote, i + 1);
    if (valueEnd < 0) break;
    if (name !== '') attributes[name] = unescapeXml(tag.slice(i + 1, valueEnd));
    i = valueEnd + 1;
  }
  return attributes;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

export function unescapeXml(value: string): string {
  if (value.indexOf('&') < 0) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const amp = value.indexOf('&', i);
    if (amp < 0) break;
    const semi = value.indexOf(';', amp);
    if (semi < 0 || semi - amp > 10) {
      out += value.slice(i, amp + 1);
      i = amp + 1;
      continue;
    }
    out += value.slice(i, amp);
    const entity = value.slice(amp + 1, semi);
    let decoded: string | null = null;
    if (entity === 'amp') decoded = '&';
    else if (entity === 'lt') decoded = '<';
    else if (entity === 'gt') decoded = '>';
    else if (entity === 'quot') decoded = '"';
    else if (entity === 'apos') decoded = "'";
    else if (entity.startsWith('#x') || entity.startsWith('#X')) decoded = codePoint(parseInt(entity.slice(2), 16));
    else if (entity.startsWith('#')) decoded = codePoint(parseInt(entity.slice(1), 10));
    out += decoded ?? `&${entity};`;
    i = semi + 1;
  }
  return out + value.slice(i);
}

function codePoint(n: number): string | null {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : null;
}

const STYLE_OPEN = Buffer.from('<style:style');
const STYLE_CLOSE = Buffer.from('</style:style>');
const TABLE_PROPERTIES = Buffer.from('<style:table-properties');
const TABLE_OPEN = Buffer.from('<table:table');

export interface OdsTableInfo {
  name: string;
  hidden: boolean;
}

/** Every `<table:table>` of content.xml in document order, with its name and whether its style hides it. */
export function listOdsTables(xml: Buffer): OdsTableInfo[] {
  const hiddenStyles = new Set<string>();
  let pos = 0;
  for (;;) {
    const p = xml.indexOf(STYLE_OPEN, pos);
    if (p < 0) break;
    const end = xml.indexOf(0x3e /* > */, p);
    if (end < 0) break;
    const next = xml[p + STYLE_OPEN.length];
    pos = end + 1;
    if (!isSpace(next)) continue;
    const attributes = parseTagAttributes(xml.toString('utf8', p, end + 1));
    if (attributes['style:family'] !== 'table' || xml[end - 1] === 0x2f /* / */) continue;
    const close = xml.indexOf(STYLE_CLOSE, end);
    if (close < 0) break;
    const props = xml.indexOf(TABLE_PROPERTIES, end);
    if (props >= 0 && props < close) {
      const propsEnd = xml.indexOf(0x3e, props);
      const propsAttributes = parseTagAttributes(xml.toString('utf8', props, propsEnd + 1));
      if (propsAttributes['table:display'] === 'false' && attributes['style:name'] !== undefined) {
        hiddenStyles.add(attributes['style:name']);
      }
    }
    pos = close + STYLE_CLOSE.length;
  }

  const tables: OdsTableInfo[] = [];
  pos = 0;
  for (;;) {
    const p = xml.indexOf(TABLE_OPEN, pos);
    if (p < 0) break;
    const next = xml[p + TABLE_OPEN.length];
    pos = p + TABLE_OPEN.length;
    // '<table:table-row', '<table:table-cell', '<table:table-column'… are not tables.
    if (!isSpace(next) && next !== 0x3e && next !== 0x2f) continue;
    const end = xml.indexOf(0x3e, p);
    if (end < 0) break;
    const attributes = parseTagAttributes(xml.toString('utf8', p, end + 1));
    const style = attributes['table:style-name'];
    tables.push({ name: attributes['table:name'] ?? '', hidden: style !== undefined && hiddenStyles.has(style) });
    pos = end + 1;
  }
  return tables;
}
