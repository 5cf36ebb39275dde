import { type Command, Option } from 'commander';
import { Agent, fetch as undiciFetch } from 'undici';
import { DEFAULT_ENDPOINT, NimbusClient } from './api-client.js';
import { CliError } from './errors.js';
import { credentialsFromEnv } from './request-signer.js';

/** Adds `--endpoint` (env `NIMBUS_ENDPOINT`) to a command that talks to a server. */
export function withEndpoint(cmd: Command): Command {
  return cmd.addOption(
    new Option('--endpoint <url>', 'URL of the Nimbus server')
      .env('NIMBUS_ENDPOINT')
      .default(DEFAULT_ENDPOINT),
  );
}

/** Adds `--json` to a command that prints API data. */
export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'print the API data as JSON instead of a human-readable view');
}

/** The API client for the command's `--endpoint` / `NIMBUS_ENDPOINT`. */
export function clientFor(cmd: Command): NimbusClient {
  const value = String(cmd.opts().endpoint ?? DEFAULT_ENDPOINT);
  const from = cmd.getOptionValueSource('endpoint') === 'env' ? 'NIMBUS_ENDPOINT' : '--endpoint';
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new CliError(
      `invalid ${from} "${value}": expected an http:// or https:// URL such as ${DEFAULT_ENDPOINT}.`,
    );
  }
  const credentials = credentialsFromEnv();
  return new NimbusClient(url.href, { fetch: patientFetch, ...(credentials ? { credentials } : {}) });
}

/**
 * `fetch` without the 5-minute header and body timeouts of Node's built-in client: a synchronous
 * invoke may legitimately run for 15 minutes.
 */
const patientAgent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
const patientFetch = ((input: string | URL, init?: RequestInit) =>
  undiciFetch(input, { ...(init as object), dispatcher: patientAgent })) as unknown as typeof fetch;

/** Writes to stdout. */
export function out(text: string | Uint8Array): void {
  process.stdout.write(text);
}

/** Writes a line to stderr (hints and notes that are not the command's result). */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A progress line on stderr, only when a person is watching (stderr is a terminal). */
export function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
}

/** API data for `--json`: exactly as received, indented. */
export function printJson(value: unknown): void {
  out(`${JSON.stringify(value, null, 2)}\n`);
}
