import { resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Bundles handler source (and what it requires, e.g. `@aws-sdk/client-s3`) into one CommonJS
 * file, as deployment tools (CDK's NodejsFunction, SAM with esbuild) do. `external` modules stay
 * `require`s (they ship in the zip's node_modules).
 */
export async function bundleHandler(source: string, external: string[] = []): Promise<string> {
  const out = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}
