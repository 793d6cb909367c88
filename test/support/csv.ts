/** RFC 4180 rows, as the export and report writers produce them (CRLF, or LF, between records). */
export function parseCsv(text: string, separator = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === separator) row.push(field), (field = '');
    else if (char === '\n' || (char === '\r' && text[i + 1] === '\n')) {
      row.push(field), rows.push(row), (row = []), (field = '');
      if (char === '\r') i++;
    } else field += char;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}
