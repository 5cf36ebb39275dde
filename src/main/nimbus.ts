import { createHmac } from 'node:crypto';
import { CodeBuilder } from '../artifacts/build/code-builder.js';
import { CodeStore } from '../artifacts/code-store.js';
import type { ServerConfig } from '../config/server-config.js';
import { type AccountScope, LATEST } from '../domain/arn.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { BUILD_TIMEOUT_MS } from '../domain/limits.js';
import { runtimeFamily } from '../domain/runtimes.js';
import { type HttpExchange, type Surface, sendJson } from '../gateway/exchange.js';
import { Gateway } from '../gateway/gateway.js';
import { SigV4Authenticator } from '../gateway/sigv4-auth.js';
import { ConcurrencyLimiter } from '../invoke/concurrency.js';
import { InvokeService } from '../invoke/invoke-service.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { Recorder } from '../observability/recorder.js';
import { FunctionRegistry } from '../registry/function-registry.js';
import { LayerRegistry } from '../registry/layer-registry.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import { CodeLinks } from '../services/code-links.js';
import { RestJsonSurface } from '../services/rest-json-surface.js';
import { FsBlobStore } from '../store/blobs/fs-blob-store.js';
import { AesGcmCipher } from '../store/crypto/aes-gcm-cipher.js';
import { openDatabase } from '../store/sqlite/database.js';
import { SqliteFunctionStore } from '../store/sqlite/function-store.js';
import { SqliteInvocationStore } from '../store/sqlite/invocation-store.js';
import { SqliteLayerStore } from '../store/sqlite/layer-store.js';
import { SqliteLogStore } from '../store/sqlite/log-store.js';
import type { App, Feature } from './app.js';
import { prepareDataDir } from './data-dir.js';
import { FEATURES } from './features/index.js';
import { detectHostTools } from './host-tools.js';
import { NIMBUS_VERSION } from './paths.js';
import { createSandboxes } from './sandboxes.js';

export interface NimbusOptions {
  clock?: Clock;
  logger?: Logger;
  /** Installed after the built-in features (tests and embedders add ports or surfaces). */
  extraFeatures?: readonly Feature[];
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
  const dir = prepareDataDir(config.dataDir, config.keyFile);

  const db = openDatabase(dir.database);
  // Environment variables are sealed at rest with a key derived from the data dir's secret.
  const functionStore = new SqliteFunctionStore(db, new AesGcmCipher(dir.secret, 'environment'));
  const logStore = new SqliteLogStore(db);
  const invocationStore = new SqliteInvocationStore(db);
  const code = new CodeStore(new FsBlobStore(dir.blobs), dir.images);
  const tools = detectHostTools();

  const recorder = new Recorder({
    logs: logStore,
    invocations: invocationStore,
    clock,
    flushIntervalMs: 100,
    maxPendingLogEvents: 100_000,
    onError: (err) => log.error({ err }, 'writing logs or metering failed'),
  });
  const layers = new LayerRegistry(new SqliteLayerStore(db), code, clock, scope, dir.builds);
  const builder = new CodeBuilder({
    code,
    workDir: dir.builds,
    cacheDir: dir.buildCache,
    tools: {
      nodeExecutable: process.execPath,
      ...(tools.npmCli ? { npmCli: tools.npmCli } : {}),
      ...(tools.python ? { python: tools.python.executable } : {}),
    },
    timeoutMs: BUILD_TIMEOUT_MS,
  });
  const registry = new FunctionRegistry(functionStore, code, clock, scope, {
    builder,
    layers,
    buildLog: recorder,
    runtimeUnavailable: (runtime) =>
      runtimeFamily(runtime) === 'python' && !tools.python
        ? 'no python3 interpreter was found on the host (install python3 or set NIMBUS_PYTHON).'
        : undefined,
  });
  const sandboxes = createSandboxes(config, dir, clock, log, recorder, tools.python?.executable);

  let gc: Promise<void> = Promise.resolve();
  registry.onChange((change) => {
    // New versions and aliases leave running code as it is; `$LATEST` changes retire `$LATEST`'s
    // pools (published versions are immutable and keep theirs); deletes retire what they delete.
    if (change.kind === 'deleted') sandboxes.forgetFunction(change.name);
    else if (change.kind === 'updated') sandboxes.retireVersion(change.name, LATEST);
    else if (change.deletedVersion) sandboxes.retireVersion(change.name, change.deletedVersion);
    gc = gc
      .then(() => registry.collectGarbage(sandboxes.codeDirsInUse()))
      .catch((err: unknown) => log.warn({ err }, 'code garbage collection failed'));
  });

  const concurrency = new ConcurrencyLimiter(config.concurrency);
  const credentials = functionCredentials(dir.secret);
  let endpoint: string | undefined;
  const metrics = new Metrics();
  const invoke = new InvokeService({
    registry,
    sandboxes,
    concurrency,
    meter: {
      record(r) {
        recorder.record(r);
        metrics.invocation(r);
      },
    },
    onThrottle: (fn, reason) => {
      metrics.throttle(fn, reason);
      recorder.throttle({ functionName: fn, at: clock.now(), reason });
    },
    clock,
    functionCredentials: credentials,
    endpointUrl: () => endpoint,
  });
  const codeLinks = new CodeLinks(dir.secret, clock);
  const auth = new SigV4Authenticator(
    [
      ...(config.accessKeyId && config.secretAccessKey
        ? [
            {
              accessKeyId: config.accessKeyId,
              secretAccessKey: config.secretAccessKey,
              principal: 'admin' as const,
            },
          ]
        : []),
      { ...credentials, principal: 'function' as const },
    ],
    config.accessKeyId !== undefined,
    () => clock.now(),
  );

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
    layers,
    tools,
    recorder,
    metrics,
    sandboxes,
    concurrency,
    invoke,
    auth,
    lambdaApi: new RestJsonSurface({ name: 'lambda', matches: isLambdaPath, scope, log, auth }),
    nimbusApi: new RestJsonSurface({
      name: 'nimbus',
      matches: (x) => x.path.startsWith('/nimbus/'),
      scope,
      log,
      auth,
    }),
    surfaces: [],
    fallbackSurfaces: [],
    services: [],
    endpoint: () => {
      if (!endpoint) throw new Error('the server is not listening yet');
      return endpoint;
    },
  };
  for (const feature of [...FEATURES, ...(options.extraFeatures ?? [])]) await feature(app);
  await registry.resumeBuilds();

  const health: Surface = {
    name: 'health',
    matches: (x) => x.path === '/healthz',
    handle: async (x) => sendJson(x, 200, { status: 'ok', version: NIMBUS_VERSION }),
  };
  const gateway = new Gateway(
    [health, ...app.surfaces, app.lambdaApi, app.nimbusApi, ...app.fallbackSurfaces],
    log,
  );
  const url = await gateway.listen(config.host, config.port);
  endpoint = url;
  for (const service of app.services) await service.start();
  log.info(
    {
      url,
      dataDir: dir.root,
      concurrency: config.concurrency,
      authentication: auth.enforce ? 'sigv4' : 'off',
    },
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
        for (const service of [...app.services].reverse()) service.drain?.();
        await gateway.close();
        for (const service of [...app.services].reverse()) await service.close();
        await registry.close();
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
