// The in-sandbox runtimes are ES modules. Inside a sandbox they are mounted at /var/runtime, away
// from this project's package.json, so each built runtime carries its own manifest saying so.
import { writeFileSync } from 'node:fs';

writeFileSync(new URL('../dist/runtimes/nodejs/package.json', import.meta.url), '{"type":"module"}\n');
