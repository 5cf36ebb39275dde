/**
 * Built-ins the runtime relies on, captured when this module is first evaluated. `index.ts`
 * imports it before anything else, so these references are taken before any user code runs and
 * survive user code monkey-patching the globals (test doubles for `Date`, APM agents wrapping
 * `JSON` or `setImmediate`, ...). Deliberately light: only what the hot paths use.
 */
import fs from 'node:fs';
import util from 'node:util';

export const jsonStringify = JSON.stringify;
export const jsonParse = JSON.parse;
export const dateNow = Date.now;
export const NativeDate = Date;
export const bufferFrom = Buffer.from.bind(Buffer);
export const byteLength = Buffer.byteLength.bind(Buffer);
export const isBuffer = Buffer.isBuffer.bind(Buffer);
export const scheduleImmediate = globalThis.setImmediate;
export const scheduleTimeout = globalThis.setTimeout;
export const format = util.format;
export const isNativeError = util.types.isNativeError;
export const writeSync = fs.writeSync;
export const existsSync = fs.existsSync;
export const readFileSync = fs.readFileSync;
export const exitProcess: (code: number) => never = process.exit.bind(process);
export const onProcess = process.on.bind(process);
