// Finishes the in-sandbox Node.js runtime after tsc:
// - bundles it into one file: a runtime loaded as ~20 ES modules takes ~20 ms longer to start
//   (resolving, reading and linking each) than one file, on every fresh sandbox and zygote;
// - gives it its own package.json, since inside a sandbox it is mounted at /var/runtime, away from
//   this project's ("type": "module").
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const dir = new URL('../dist/runtimes/nodejs/', import.meta.url);
await build({
  entryPoints: [new URL('index.js', dir).pathname],
  outfile: new URL('index.js', dir).pathname,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
writeFileSync(new URL('package.json', dir), '{"type":"module"}\n');
