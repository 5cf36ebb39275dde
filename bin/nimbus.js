#!/usr/bin/env node
// The `nimbus` command. The TypeScript sources are compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('nimbus: the build is missing; run `npm run build` (or `npm start`) first.');
  process.exit(1);
}
await import(main.href);
