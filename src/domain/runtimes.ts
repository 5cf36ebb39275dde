/**
 * Runtimes Nimbus can run, and the identifiers AWS knows but Nimbus does not (yet) run, so that
 * each gets the right error instead of a generic one.
 */

export const SUPPORTED_RUNTIMES = [
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'provided.al2',
  'provided.al2023',
] as const;
export type SupportedRuntime = (typeof SUPPORTED_RUNTIMES)[number];

/** How a runtime is started and what the build step does for it. */
export type RuntimeFamily = 'nodejs' | 'python' | 'provided';

export function runtimeFamily(runtime: string): RuntimeFamily | undefined {
  if (runtime.startsWith('nodejs')) return 'nodejs';
  if (runtime.startsWith('python')) return 'python';
  if (runtime.startsWith('provided')) return 'provided';
  return undefined;
}

/** Runtimes AWS no longer accepts for creating or updating functions. */
const DEPRECATED_RUNTIMES = new Set([
  'nodejs',
  'nodejs4.3',
  'nodejs4.3-edge',
  'nodejs6.10',
  'nodejs8.10',
  'nodejs10.x',
  'nodejs12.x',
  'nodejs14.x',
  'nodejs16.x',
  'python2.7',
  'python3.6',
  'python3.7',
  'python3.8',
  'dotnetcore1.0',
  'dotnetcore2.0',
  'dotnetcore2.1',
  'dotnetcore3.1',
  'dotnet6',
  'ruby2.5',
  'ruby2.7',
  'go1.x',
  'java8',
  'provided',
]);

/** Every runtime identifier in the Lambda service model (enum `Runtime`). */
export const AWS_RUNTIMES = [
  ...DEPRECATED_RUNTIMES,
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'java8.al2',
  'java11',
  'java17',
  'java21',
  'java25',
  'dotnet8',
  'dotnet10',
  'ruby3.2',
  'ruby3.3',
  'ruby3.4',
  'provided.al2',
  'provided.al2023',
] as const;

export function isSupportedRuntime(runtime: string): runtime is SupportedRuntime {
  return (SUPPORTED_RUNTIMES as readonly string[]).includes(runtime);
}

export function isDeprecatedRuntime(runtime: string): boolean {
  return DEPRECATED_RUNTIMES.has(runtime) || runtime === 'nodejs18.x';
}

/** `AWS_Lambda_nodejs20.x`; absent for custom runtimes. */
export function executionEnv(runtime: string): string | undefined {
  return runtime.startsWith('provided') ? undefined : `AWS_Lambda_${runtime}`;
}
