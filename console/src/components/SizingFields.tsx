import { FieldError } from './Alert';

/**
 * Memory and timeout of a function, as CreateFunction and UpdateFunctionConfiguration take them
 * (`memorySize`, `timeout`: the names AWS's `at 'member'` messages use, so errors land here).
 */
export function SizingFields({
  memory,
  timeout,
  onMemory,
  onTimeout,
  fieldError,
}: {
  memory: string;
  timeout: string;
  onMemory: (value: string) => void;
  onTimeout: (value: string) => void;
  fieldError: (member: string) => string | undefined;
}) {
  return (
    <>
      <label>
        Memory (MB)
        <input
          name="memorySize"
          inputMode="numeric"
          value={memory}
          onChange={(e) => onMemory(e.target.value)}
        />
        <FieldError message={fieldError('memorySize')} />
      </label>
      <label>
        Timeout (seconds)
        <input
          name="timeout"
          inputMode="numeric"
          value={timeout}
          onChange={(e) => onTimeout(e.target.value)}
        />
        <FieldError message={fieldError('timeout')} />
      </label>
    </>
  );
}
