import pg from 'pg';
import type { Clock, Timer } from '../../domain/clock.js';
import { withGrace } from '../esm/poll-timing.js';
import type { Lsn } from './lsn.js';
import { formatLsn, msToPgTime } from './lsn.js';
import { decodePgOutput, type PgOutputMessage } from './pgoutput.js';

/** How often the client reports its position even when nothing happens (wal_sender_timeout is 60 s). */
const STATUS_INTERVAL_MS = 10_000;

export interface ReplicationStreamOptions {
  url: string;
  slot: string;
  publication: string;
  clock: Clock;
  /** Every decoded pgoutput message, in WAL order. */
  onMessage(msg: PgOutputMessage): void;
  /** The stream failed or the server went away (not called after `close()`). */
  onEnd(error: Error): void;
  /** Whether everything received so far has been delivered (no transaction open or waiting). */
  isIdle(): boolean;
}

interface ReplicationConnection {
  on(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void;
  once(event: 'replicationStart', listener: () => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  stream?: { pause(): void; resume(): void };
}

/**
 * A logical replication connection (`replication=database`) streaming a slot with the pgoutput
 * plugin, over `pg`'s protocol implementation. It reports to the server how far it has
 * *confirmed* (flushed) — only what {@link confirm} was given, i.e. what the mapping has
 * delivered — so an unconfirmed change is sent again after a reconnect.
 */
export class ReplicationStream {
  readonly #o: ReplicationStreamOptions;
  #client?: pg.Client;
  #connection?: ReplicationConnection;
  #received: Lsn = 0n;
  #confirmed: Lsn = 0n;
  /** The server's sent position from its last keepalive. */
  #keepalive: Lsn = 0n;
  #timer?: Timer;
  #closed = false;
  #ended = false;

  constructor(o: ReplicationStreamOptions) {
    this.#o = o;
  }

  /** Connects and starts streaming from the slot's confirmed position. */
  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#o.url,
      replication: 'database',
    } as pg.ClientConfig);
    this.#client = client;
    client.on('error', (e) => this.#end(e));
    client.on('end', () => this.#end(new Error('the PostgreSQL connection closed')));
    await client.connect();
    const connection = (client as unknown as { connection: ReplicationConnection }).connection;
    this.#connection = connection;
    const started = new Promise<void>((resolve) => connection.once('replicationStart', resolve));
    connection.on('copyData', ({ chunk }) => this.#onCopyData(chunk));
    const sql = `START_REPLICATION SLOT ${quoteIdent(this.#o.slot)} LOGICAL 0/0 (proto_version '1', publication_names ${quoteLiteral(quoteIdent(this.#o.publication))})`;
    const streaming = client.query(sql);
    await Promise.race([
      started,
      streaming.then(() => Promise.reject(new Error('replication ended at once'))),
    ]);
    streaming.catch((e: Error) => this.#end(e));
    this.#schedule();
  }

  /** Everything up to `lsn` (a transaction's end) was delivered; the server may discard it. */
  confirm(lsn: Lsn): void {
    if (lsn <= this.#confirmed) return;
    this.#confirmed = lsn;
    this.#sendStatus(false);
  }

  get confirmed(): Lsn {
    return this.#confirmed;
  }

  pause(): void {
    this.#connection?.stream?.pause();
  }

  resume(): void {
    this.#connection?.stream?.resume();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer?.cancel();
    const client = this.#client;
    if (!client) return;
    // A replication connection in COPY mode may not answer Terminate; do not wait for it long.
    await withGrace(this.#o.clock, client.end(), 2_000);
  }

  #onCopyData(chunk: Buffer): void {
    const kind = chunk[0];
    if (kind === 0x77) {
      // XLogData: start LSN, end of WAL, send time, then the pgoutput message.
      const walEnd = chunk.readBigUInt64BE(9);
      if (walEnd > this.#received) this.#received = walEnd;
      let msg: PgOutputMessage;
      try {
        msg = decodePgOutput(chunk.subarray(25));
      } catch (e) {
        this.#end(e as Error);
        return;
      }
      this.#o.onMessage(msg);
    } else if (kind === 0x6b) {
      // Primary keepalive: end of WAL, send time, reply requested.
      const walEnd = chunk.readBigUInt64BE(1);
      if (walEnd > this.#received) this.#received = walEnd;
      // A logical walsender's keepalive carries what it has sent; when all of that was delivered,
      // the slot may move up to it (else a server shutdown waits for us until wal_sender_timeout).
      if (this.#o.isIdle() && walEnd > this.#keepalive) this.#keepalive = walEnd;
      if (chunk[17] === 1) this.#sendStatus(false);
    }
  }

  #sendStatus(replyRequested: boolean): void {
    if (!this.#connection || this.#closed || this.#ended) return;
    const flushed = this.#o.isIdle() && this.#keepalive > this.#confirmed ? this.#keepalive : this.#confirmed;
    const b = Buffer.alloc(34);
    b.write('r', 0);
    // Written: what arrived; flushed and applied: only what was delivered and checkpointed.
    let written = this.#received;
    if (flushed > written) written = flushed;
    b.writeBigUInt64BE(written, 1);
    b.writeBigUInt64BE(flushed, 9);
    b.writeBigUInt64BE(flushed, 17);
    b.writeBigInt64BE(msToPgTime(this.#o.clock.now()), 25);
    b.writeUInt8(replyRequested ? 1 : 0, 33);
    try {
      this.#connection.sendCopyFromChunk(b);
    } catch (e) {
      this.#end(e as Error);
    }
  }

  #schedule(): void {
    if (this.#closed || this.#ended) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#sendStatus(false);
      this.#schedule();
    }, STATUS_INTERVAL_MS);
  }

  #end(error: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#timer?.cancel();
    if (!this.#closed) {
      void this.#client?.end().catch(() => undefined);
      this.#o.onEnd(error);
    }
  }

  /** For logs: the positions. */
  describe(): string {
    return `received ${formatLsn(this.#received)}, confirmed ${formatLsn(this.#confirmed)}`;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
