import { useState } from 'react';
import { useLoad } from '../hooks';
import { type Settings, TRIGGERS, type TriggerField, type TriggerKind } from '../triggers';
import { FieldError } from './Alert';

/** The trigger kinds as radios, and the chosen kind's settings; an API error shows at its field. */
export function TriggerPicker(props: {
  kind: string;
  settings: Settings;
  onKind: (id: string) => void;
  onChange: (s: Settings) => void;
  fieldError: (field: string) => string | undefined;
  kinds?: readonly TriggerKind[];
}) {
  const kinds = props.kinds ?? TRIGGERS;
  const chosen = kinds.find((k) => k.id === props.kind);
  return (
    <div className="trigger-picker">
      <div className="radios column">
        {kinds.map((t) => (
          <label key={t.id}>
            <input
              type="radio"
              name="trigger"
              value={t.id}
              checked={props.kind === t.id}
              onChange={() => props.onKind(t.id)}
            />{' '}
            <strong>{t.label}</strong> <span className="muted">{t.description}</span>
          </label>
        ))}
      </div>
      {chosen && chosen.fields.length > 0 ? (
        <div className="trigger-fields" data-testid={`trigger-fields-${chosen.id}`}>
          {chosen.fields
            .filter((f) => !f.when || f.when(props.settings))
            .map((f) => (
              <Field
                key={`${chosen.id}.${f.name}`}
                field={f}
                value={props.settings[f.name] ?? ''}
                onChange={(v) => props.onChange({ ...props.settings, [f.name]: v })}
                error={props.fieldError(f.name)}
              />
            ))}
        </div>
      ) : null}
    </div>
  );
}

function Field(props: {
  field: TriggerField;
  value: string;
  onChange: (v: string) => void;
  error: string | undefined;
}) {
  const f = props.field;
  const loaded = useLoad(async () => (f.loadOptions ? f.loadOptions() : undefined), [f]);
  const [listId] = useState(() => `options-${f.name}-${Math.random().toString(36).slice(2)}`);
  if (f.type === 'checkbox') {
    return (
      <label className="check">
        <input
          type="checkbox"
          name={f.name}
          checked={props.value === 'true'}
          onChange={(e) => props.onChange(String(e.target.checked))}
        />{' '}
        {f.label}
        <FieldError message={props.error} />
      </label>
    );
  }
  if (f.type === 'select') {
    const options = loaded.data ?? f.options ?? [];
    return (
      <label>
        {f.label}
        <select name={f.name} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <FieldError message={props.error} />
      </label>
    );
  }
  return (
    <label>
      {f.label}
      <input
        name={f.name}
        value={props.value}
        inputMode={f.type === 'number' ? 'numeric' : undefined}
        placeholder={f.placeholder}
        autoComplete="off"
        list={loaded.data?.length ? listId : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {loaded.data?.length ? (
        <datalist id={listId}>
          {loaded.data.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </datalist>
      ) : null}
      {f.help ? <span className="muted small">{f.help}</span> : null}
      <FieldError message={props.error} />
    </label>
  );
}
