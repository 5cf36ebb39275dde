import { LogsSurface } from '../../services/logs/logs-surface.js';
import type { Feature } from '../app.js';

/** The CloudWatch Logs API subset (`aws logs tail`, `filter-log-events`, ...) over function logs. */
export const cloudwatchLogs: Feature = (app) => {
  app.surfaces.push(
    new LogsSurface({
      registry: app.registry,
      logs: app.logStore,
      auth: app.auth,
      scope: app.scope,
      log: app.log,
      flush: () => app.recorder.flush(),
    }),
  );
};
