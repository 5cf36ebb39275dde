// Copies runtime files that are not compiled (the Python runtime client) into dist/.
import { cpSync } from 'node:fs';

const [from, to] = process.argv.slice(2);
cpSync(from, to, { recursive: true, filter: (src) => !src.includes('__pycache__') });
