import { createHmac } from 'node:crypto';
import { CodeStore } from '../artifacts/code-store.js';
import type { ServerConfig } from '../config/server-config.js';
import type { AccountScope } from '../domain/arn.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { type HttpExchange, type Surface, sendJson } from '../gateway/exchange.js';
import { Gateway } from '../gateway/gateway.js';
import { ConcurrencyLimiter } from '../invoke/concurrency.js';
import { InvokeService } from '../invoke/invoke-service.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { Recorder } from '../observability/recorder.js';
import { FunctionRegistry } from '../registry/function-registry.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import { CodeLinks } from '../services/code-links.js';
import { RestJsonSurface } from '../services/rest-json-surface.js';
import { FsBlobStore } from '../store/blobs/fs-blob-store.js';
import { openDatabase } from '../store/sqlite/database.js';
import { SqliteFunctionStore } from '../store/sqlite/function-store.js';
import { SqliteInvocationStore } from '../store/sqlite/invocation-store.js';
import { SqliteLogStore } from '../store/sqlite/log-store.js';
import type { App } from './app.js';
import { prepareDataDir } from './data-dir.js';
import { FEATURES } from './features/index.js';
import { NIMBUS_VERSION } from './paths.js';
import { createSandboxes } from './sandboxes.js';

export interface NimbusOptions {
  clock?: Clock;
  logger?: Logger;
}

/** A running Nimbus server. */
export interface Nimbus {
  readonly url: string;
  readonly config: ServerConfig;
  readonly registry: FunctionRegistry;
  readonly sandboxes: SandboxManager;
  readonly recorder: Recorder;
  /** Stops accepting requests, ends every sandbox, writes what is pending, closes the store. */
  close(): Promise<void>;
}

/**
 * The composition root: builds every part from the configuration, starts them in order and stops
 * them in reverse. Nothing else knows which adapters are in use.
 */
export async function startNimbus(config: ServerConfig, options: NimbusOptions = {}): Promise<Nimbus> {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger(config.logLevel);
  const scope: AccountScope = { region: config.region, accountId: config.accountId };
  const dir = prepareDataDir(config.dataDir);

  const db = openDatabase(dir.database);
  const functionStore = new SqliteFunctionStore(db);
  const logStore = new SqliteLogStore(db);
  const invocationStore = new SqliteInvocationStore(db);
  const code = new CodeStore(new FsBlobStore(dir.blobs), dir.images);
  const registry = new FunctionRegistry(functionStore, code, clock, scope);

  const recorder = new Recorder({
    logs: logStore,
    invocations: invocationStore,
    clock,
    flushIntervalMs: 100,
    maxPendingLogEvents: 100_000,
    onError: (err) => log.error({ err }, 'writing logs or metering failed'),
  });
  const sandboxes = createSandboxes(config, dir, clock, log, recorder);

  let gc: Promise<void> = Promise.resolve();
  registry.onChange((change) => {
    if (change.kind === 'deleted') sandboxes.forgetFunction(change.name);
    else sandboxes.retireFunction(change.name);
    gc = gc
      .then(() => registry.collectGarbage(sandboxes.codeDirsInUse()))
      .catch((err: unknown) => log.warn({ err }, 'code garbage collection failed'));
  });

  const concurrency = new ConcurrencyLimiter(config.concurrency);
  const credentials = functionCredentials(dir.secret);
  let endpoint: string | undefined;
  const invoke = new InvokeService({
    registry,
    sandboxes,
    concurrency,
    meter: recorder,
    clock,
    functionCredentials: credentials,
    endpointUrl: () => endpoint,
  });
  const codeLinks = new CodeLinks(dir.secret, clock);

  const isLambdaPath = (x: HttpExchange) => /^\/20\d\d-\d\d-\d\d\//.test(x.path);
  const app: App = {
    config,
    clock,
    log,
    scope,
    dir,
    db,
    logStore,
    invocationStore,
    code,
    codeLinks,
    registry,
    recorder,
    sandboxes,
    concurrency,
    invoke,
    lambdaApi: new RestJsonSurface({ name: 'lambda', matches: isLambdaPath, scope, log }),
    nimbusApi: new RestJsonSurface({
      name: 'nimbus',
      matches: (x) => x.path.startsWith('/nimbus/'),
      scope,
      log,
    }),
    surfaces: [],
    services: [],
    endpoint: () => {
      if (!endpoint) throw new Error('the server is not listening yet');
      return endpoint;
    },
  };
  for (const feature of FEATURES) await feature(app);

  const health: Surface = {
    name: 'health',
    matches: (x) => x.path === '/healthz',
    handle: async (x) => sendJson(x, 200, { status: 'ok', version: NIMBUS_VERSION }),
  };
  const gateway = new Gateway([health, ...app.surfaces, app.lambdaApi, app.nimbusApi], log);
  const url = await gateway.listen(config.host, config.port);
  endpoint = url;
  for (const service of app.services) await service.start();
  log.info(
    { url, dataDir: dir.root, concurrency: config.concurrency },
    `Nimbus ${NIMBUS_VERSION} listening on ${url}`,
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    config,
    registry,
    sandboxes,
    recorder,
    close() {
      closing ??= (async () => {
        await gateway.close();
        for (const service of [...app.services].reverse()) await service.close();
        await sandboxes.close();
        await recorder.close();
        await gc;
        db.close();
        log.info('Nimbus stopped');
      })();
      return closing;
    },
  };
}

/**
 * Credentials handed to functions (`AWS_ACCESS_KEY_ID`, ...), so SDK clients inside them can sign
 * requests to Nimbus. Derived from the data dir's secret: stable across restarts, unique per install.
 */
function functionCredentials(secret: Buffer) {
  const derive = (label: string, length: number) =>
    createHmac('sha256', secret).update(label).digest('base64url').replace(/[-_]/g, 'X').slice(0, length);
  return {
    accessKeyId: `ASIA${derive('access-key-id', 16).toUpperCase()}`,
    secretAccessKey: derive('secret-access-key', 40),
    sessionToken: derive('session-token', 40),
  };
}
