import { InvalidArgumentError } from 'commander';

/** Commander parser for a positive whole number (`--timeout 30`, `--memory 256`). */
export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError('Expected a positive whole number.');
  }
  return Number(value);
}

/** Commander collector for repeatable `--env KEY=VALUE` (the value may contain `=`). */
export function collectEnv(
  value: string,
  previous: Record<string, string> | undefined,
): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('Expected KEY=VALUE, e.g. --env LOG_LEVEL=debug.');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}
