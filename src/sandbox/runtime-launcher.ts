import type { SandboxPaths } from './executor.js';

/** The command that starts a runtime, as seen from inside the sandbox. */
export interface RuntimeCommand {
  command: string;
  args: string[];
}

/**
 * Which process each runtime family starts. Managed Node runtimes run Nimbus's own runtime client
 * (`dist/runtimes/nodejs`, visible at `LAMBDA_RUNTIME_DIR`) on the host's Node.
 */
export function runtimeCommand(runtime: string, paths: SandboxPaths, nodeExecutable: string): RuntimeCommand {
  if (runtime.startsWith('nodejs')) {
    return { command: nodeExecutable, args: [`${paths.runtimeDir}/nodejs/index.js`] };
  }
  throw new Error(`no launcher for runtime ${runtime}`);
}
