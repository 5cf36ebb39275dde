/** A column of a plain-text table: a header and how to render a row's cell. */
export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

const GAP = '  ';

/**
 * Renders rows as an aligned, borderless table (header row first), one line per row, each line
 * ending in a newline and without trailing spaces.
 *
 * @example
 * renderTable([{ header: 'NAME', value: (f) => f.name }], [{ name: 'hello' }]);
 * // 'NAME\nhello\n'
 */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => oneLine(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].map((l) => `${l}\n`).join('');
}

/**
 * Renders `label value` pairs with the values aligned; a multi-line value continues under its
 * first line. Pairs whose value is `undefined` are left out.
 */
export function renderFields(fields: ReadonlyArray<readonly [string, string | undefined]>): string {
  const shown = fields.filter((f): f is readonly [string, string] => f[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown
    .map(([label, value]) => {
      const [first = '', ...rest] = value.split('\n');
      const indent = ' '.repeat(width + GAP.length);
      return [`${label.padEnd(width)}${GAP}${first}`.trimEnd(), ...rest.map((r) => `${indent}${r}`)]
        .map((l) => `${l}\n`)
        .join('');
    })
    .join('');
}

/** Table cells are one line: control characters (newlines, tabs) become spaces. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
