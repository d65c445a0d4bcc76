/**
 * CSV as RFC 4180 defines it, and as spreadsheets write it: fields separated by commas, records by
 * CRLF (or a bare LF or CR, which Unix tools and old Macs write); a field in double quotes may hold
 * commas, line breaks and quotes (doubled: `""`); a UTF-8 byte-order mark, which Excel puts first,
 * is not part of the first header. Pure; the CLI has no CSV dependency for this one small format.
 *
 * Deliberately strict where leniency would guess: a quote left open and text after a closing quote
 * (`"a"b`) are errors with the line they are on, never a silently merged record. A quote inside an
 * unquoted field (`5" floppy`) is kept as a character, as every spreadsheet reads it.
 */

export interface CsvRecord {
  /** The file line the record starts on (1-based): a quoted field may span several. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export function parseCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let i = 0;
  /** Whether the current record has anything yet (so a final line break adds no empty record). */
  let started = false;

  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    records.push({ line: recordLine, fields });
    fields = [];
    started = false;
  };

  while (i < text.length) {
    const ch = text[i];
    // A quote opens a quoted field only as the field's first character.
    if (ch === '"' && field === "") {
      // A quoted field: up to the quote not doubled.
      const openedOn = line;
      i += 1;
      for (;;) {
        if (i >= text.length) throw new CsvError(openedOn, "a quoted field is never closed");
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        if (c === "\r" || c === "\n") {
          // Inside quotes a line break is data; CRLF counts as one line.
          if (c === "\r" && text[i + 1] === "\n") {
            field += "\r\n";
            i += 2;
          } else {
            field += c;
            i += 1;
          }
          line += 1;
          continue;
        }
        field += c;
        i += 1;
      }
      started = true;
      const next = text[i];
      if (next !== undefined && next !== "," && next !== "\r" && next !== "\n") {
        throw new CsvError(line, 'text after a closing quote (a quote inside a field is written twice: "")');
      }
      continue;
    }
    if (ch === ",") {
      endField();
      started = true;
      i += 1;
      continue;
    }
    if (ch === "\r" || ch === "\n") {
      endRecord();
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line += 1;
      recordLine = line;
      continue;
    }
    field += ch;
    started = true;
    i += 1;
  }
  if (started || field !== "") endRecord();
  return records;
}
