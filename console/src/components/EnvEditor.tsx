export interface EnvRow {
  key: string;
  value: string;
}

export const toVariables = (rows: EnvRow[]) =>
  Object.fromEntries(rows.filter((r) => r.key !== '' || r.value !== '').map((r) => [r.key, r.value]));

export const fromVariables = (v: Record<string, string> | undefined): EnvRow[] =>
  Object.entries(v ?? {}).map(([key, value]) => ({ key, value }));

/** Environment variables as key/value rows. */
export function EnvEditor({ rows, onChange }: { rows: EnvRow[]; onChange: (rows: EnvRow[]) => void }) {
  const set = (i: number, patch: Partial<EnvRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="env" data-testid="environment">
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
        <div className="env-row" key={i}>
          <input
            aria-label={`Variable ${i + 1} name`}
            placeholder="KEY"
            value={r.key}
            onChange={(e) => set(i, { key: e.target.value })}
          />
          <input
            aria-label={`Variable ${i + 1} value`}
            placeholder="value"
            value={r.value}
            onChange={(e) => set(i, { value: e.target.value })}
          />
          <button type="button" className="link" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        Add variable
      </button>
    </div>
  );
}
