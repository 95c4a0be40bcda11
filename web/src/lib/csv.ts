// A small CSV reader for the import preview: quotes, doubled quotes, CRLF, a BOM, and comma or
// semicolon separators (chosen from the header line as the server does). Each record keeps the
// line it starts on, which is the row number the server's problems refer to.

export interface CsvRecord {
  line: number;
  fields: string[];
}

export function detectDelimiter(text: string): ',' | ';' {
  const first = text.split('\n', 1)[0] ?? '';
  const semi = first.split(';').length - 1;
  const comma = first.split(',').length - 1;
  return semi > comma ? ';' : ',';
}

export function parseCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const delim = detectDelimiter(text);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push({ line: start, fields });
    fields = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delim) {
      endField();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += c;
    }
    i++;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** Records that are not blank (the server skips blank ones too). */
export function nonBlank(records: CsvRecord[]): CsvRecord[] {
  return records.filter((r) => r.fields.some((f) => f.trim() !== ''));
}

/** Decodes bytes as UTF-8, or null when they are not UTF-8 (e.g. a file saved as ANSI). */
export function decodeUtf8(bytes: ArrayBuffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
