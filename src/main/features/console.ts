import { join } from 'node:path';
import { StaticSite } from '../../services/console/static-site.js';
import type { Feature } from '../app.js';
import { PACKAGE_ROOT } from '../paths.js';

/** The web console (`console/`, built into `console/dist`) at `/console`. */
export const webConsole: Feature = (app) => {
  app.surfaces.push(
    new StaticSite({ prefix: '/console', root: join(PACKAGE_ROOT, 'console', 'dist'), redirectRoot: true }),
  );
};
