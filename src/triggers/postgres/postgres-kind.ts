import { functionArn } from '../../domain/arn.js';
import type { Clock } from '../../domain/clock.js';
import { invalidParameter } from '../../domain/errors.js';
import type { QueueService } from '../../queues/queue-service.js';
import type { Mapping } from '../esm/mapping.js';
import { sleep } from '../esm/poll-timing.js';
import type { EventSourceKind } from '../esm/source-kind.js';
import { dropReplication, prepareReplication } from './postgres-admin.js';
import { ENDPOINT_KEY, parsePostgresArn, slotName } from './postgres-arn.js';
import { PostgresChangeSource } from './postgres-source.js';

export const POSTGRES_BATCH_DEFAULT = 100;
export const POSTGRES_BATCH_MAX = 10_000;
export const POSTGRES_WINDOW_MAX_SECONDS = 300;

/**
 * Row changes of PostgreSQL tables (logical replication with pgoutput) as event sources.
 * On-failure destinations may be SQS queues of this Nimbus.
 */
export function postgresKind(queues: QueueService | undefined, o: { clock: Clock }): EventSourceKind {
  return {
    kind: 'postgres',
    claims: (s) => s.eventSourceArn?.startsWith('arn:nimbus:postgres:') === true,
    async prepare(m: Mapping, source, previous) {
      const parsed = parsePostgresArn(m.eventSourceArn);
      const url = source.endpoints?.[ENDPOINT_KEY]?.[0] ?? previous?.sourceUrl;
      if (!url) {
        throw invalidParameter(
          `A PostgreSQL source needs its connection string in SelfManagedEventSource.Endpoints.${ENDPOINT_KEY}.`,
        );
      }
      if (!/^postgres(ql)?:\/\//.test(url))
        throw invalidParameter(`${ENDPOINT_KEY} must be a postgres:// connection string.`);
      if (m.startingPosition === 'AT_TIMESTAMP') {
        throw invalidParameter('StartingPosition AT_TIMESTAMP is not supported for PostgreSQL sources.');
      }
      if (!previous && !m.startingPosition) {
        throw invalidParameter(
          'StartingPosition is required for PostgreSQL sources (TRIM_HORIZON or LATEST).',
        );
      }
      const batchSize = m.batchSize || POSTGRES_BATCH_DEFAULT;
      if (batchSize > POSTGRES_BATCH_MAX)
        throw invalidParameter(`BatchSize must be between 1 and ${POSTGRES_BATCH_MAX}.`);
      if (m.maximumConcurrency !== undefined) {
        throw invalidParameter(
          'ScalingConfig is not supported for PostgreSQL sources: changes are delivered in order, one batch at a time.',
        );
      }
      if (m.onFailureDestination) {
        if (!queues || !(await queues.findByArn(m.onFailureDestination))) {
          throw invalidParameter(
            `The on-failure destination ${m.onFailureDestination} must be an existing SQS queue of this Nimbus.`,
          );
        }
      }
      if (!previous) await prepareReplication(url, parsed, slotName(m.uuid));
      return { ...m, batchSize, sourceUrl: url };
    },
    start(m, ctx) {
      const parsed = parsePostgresArn(m.eventSourceArn);
      return new PostgresChangeSource(m, {
        ...ctx,
        region: parsed.region,
        functionArn: functionArn(
          { region: parsed.region, accountId: parsed.accountId },
          m.functionName,
          m.qualifier,
        ),
        sendToDestination: async (arn, body) => {
          const q = queues && (await queues.findByArn(arn));
          if (!q) throw new Error(`queue ${arn} does not exist`);
          await queues.send(q.name, { body });
        },
        recreateSlot: () => prepareReplication(m.sourceUrl ?? '', parsed, slotName(m.uuid)),
      });
    },
    async cleanup(m) {
      if (!m.sourceUrl) return;
      await dropReplication(m.sourceUrl, slotName(m.uuid), (ms) => sleep(o.clock, ms));
    },
  };
}
