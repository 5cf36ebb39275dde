import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { clientFor, note, out, progress, withEndpoint } from '../command-context.js';
import { CliError, EXIT_FUNCTION_ERROR } from '../errors.js';

interface InvokeOptions {
  payload?: string;
  log?: boolean;
  qualifier?: string;
  async?: boolean;
}

/**
 * `invoke <name>`: a synchronous invocation. The result payload goes to stdout, the log tail
 * (`--log`) to stderr; exit code 1 when the function returned an error. With `--async` the event
 * is queued (InvocationType Event) and its request id printed once the server has stored it.
 */
export function addInvokeCommand(parent: Command): void {
  const cmd = parent
    .command('invoke')
    .description('invoke a function and print its result (exit code 1 when the function fails)')
    .argument('<name>', 'function name or ARN')
    .option('--payload <json>', 'the event: JSON text, @file to read a file, or @- for stdin (default {})')
    .option('--log', 'print the last 4 KB of the invocation log (START/END/REPORT) on stderr')
    .option('--qualifier <qualifier>', 'version or alias to invoke (default $LATEST)')
    .option('--async', 'queue the event (InvocationType Event), print its request id; it runs with retries');
  withEndpoint(cmd);
  cmd.action(async (name: string, opts: InvokeOptions, command: Command) => {
    if (opts.async && opts.log) {
      throw new CliError(
        `--log shows the log of a synchronous invocation. With --async, read it later with \`nimbus logs ${name} --request-id <id>\`.`,
      );
    }
    const payload = await readPayload(opts.payload);
    const client = clientFor(command);
    if (opts.async) {
      const queued = await client.invokeAsync(name, payload, {
        ...(opts.qualifier === undefined ? {} : { qualifier: opts.qualifier }),
      });
      out(`${queued.requestId}\n`);
      progress(
        `Queued. Follow it with \`nimbus events ${name}\` or \`nimbus logs ${name} --request-id ${queued.requestId}\`.`,
      );
      return;
    }
    const r = await client.invoke(name, payload, {
      logTail: opts.log === true,
      ...(opts.qualifier === undefined ? {} : { qualifier: opts.qualifier }),
    });
    // Line breaks inside one log call arrive as `\r` (as in `nimbus logs`); show them as line breaks.
    if (r.logTail !== undefined) process.stderr.write(withNewline(r.logTail.replace(/\r\n?/g, '\n')));
    out(formatPayload(r.payload, process.stdout.isTTY === true));
    if (r.functionError !== undefined) {
      note(`nimbus: ${name} failed (${r.functionError}): ${describeFunctionError(r.payload)}`);
      process.exitCode = EXIT_FUNCTION_ERROR;
    }
  });
}

/** The event bytes exactly as given, after checking they are JSON; undefined sends `{}`. */
export async function readPayload(option: string | undefined): Promise<Buffer | undefined> {
  if (option === undefined) return undefined;
  let bytes: Buffer;
  let source = '--payload';
  if (option.startsWith('@')) {
    const file = option.slice(1);
    if (file === '') {
      throw new CliError('--payload @ needs a file name: --payload @event.json, or @- to read stdin.');
    }
    source = file === '-' ? 'the payload on stdin' : `the payload file ${file}`;
    bytes = file === '-' ? await readStdin() : await readPayloadFile(file);
    if (bytes.subarray(0, 3).equals(UTF8_BOM)) bytes = bytes.subarray(3);
  } else {
    bytes = Buffer.from(option, 'utf8');
  }
  try {
    JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new CliError(
      `${source} is not valid JSON (${(e as Error).message}). Pass a JSON document, ` +
        `e.g. --payload '{"key":"value"}', or @file.json to read one from a file.`,
    );
  }
  return bytes;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function readPayloadFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a folder' : err.message;
    throw new CliError(`cannot read the payload file ${file}: ${why}.`);
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Pretty JSON for a person at a terminal; the exact bytes for a pipe or file. */
export function formatPayload(payload: Buffer, tty: boolean): string | Buffer {
  if (!tty) return payload;
  const text = payload.toString('utf8');
  try {
    return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  } catch {
    return withNewline(text);
  }
}

/** `Error: boom` from the `{errorType, errorMessage}` the runtime reports. */
function describeFunctionError(payload: Buffer): string {
  try {
    const e = JSON.parse(payload.toString('utf8')) as { errorType?: unknown; errorMessage?: unknown };
    const type = typeof e.errorType === 'string' ? e.errorType : undefined;
    const message = typeof e.errorMessage === 'string' ? e.errorMessage.split('\n')[0] : undefined;
    if (type || message) return [type, message].filter(Boolean).join(': ');
  } catch {
    // not JSON: fall through to the raw text
  }
  return payload.toString('utf8').slice(0, 200).replace(/\s+/g, ' ') || '(no error details)';
}

function withNewline(text: string): string {
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}
