import { register } from 'node:module';
import path from 'node:path';
import { existsSync } from './intrinsics.js';
import type { LayerResolveData } from './layer-resolve-hooks.js';

/**
 * Lets ES modules import packages from `NODE_PATH` (layers at `/opt/nodejs/node_modules`), as
 * Lambda's Node.js 18+ runtimes do (`layer-resolve-hooks.ts`). Registered only when one of those
 * directories exists, so functions without layers pay nothing for Node's hooks thread.
 */
export function installLayerModuleResolution(nodePath: string | undefined): void {
  const dirs = (nodePath ?? '')
    .split(':')
    .filter((dir) => path.basename(dir) === 'node_modules' && existsSync(dir));
  if (dirs.length === 0) return;
  const data: LayerResolveData = { dirs };
  register(new URL('./layer-resolve-hooks.js', import.meta.url), { data });
}
