import { keysOf, tupleImage } from './column-values.js';
import type { PgOutputMessage, Relation } from './pgoutput.js';

/** One row change as the function sees it: a DynamoDB Streams record with plain JSON images. */
export interface ChangeRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'nimbus:postgres';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: 'NEW_AND_OLD_IMAGES';
  };
  eventSourceARN: string;
}

/**
 * `SequenceNumber`: the commit LSN as 20 decimal digits, then the change's position in its
 * transaction as 10 — so sequence numbers order changes by commit, then within a transaction,
 * and compare correctly as strings.
 */
export function sequenceNumber(commitLsn: bigint, index: number): string {
  return `${commitLsn.toString().padStart(20, '0')}${String(index).padStart(10, '0')}`;
}

export type RowChange = Extract<PgOutputMessage, { tag: 'insert' | 'update' | 'delete' }>;

/**
 * Builds the record for one change (pure). INSERT carries NewImage; MODIFY NewImage and, when the
 * table has REPLICA IDENTITY FULL (or the key changed), OldImage; REMOVE OldImage, which is the
 * key columns only unless the table has REPLICA IDENTITY FULL.
 */
export function changeRecord(
  change: RowChange,
  rel: Relation,
  o: {
    commitLsn: bigint;
    index: number;
    commitTime: number;
    region: string;
    sourceArn: string;
    primaryKey?: readonly string[];
  },
): ChangeRecord {
  let eventName: ChangeRecord['eventName'];
  let newImage: Record<string, unknown> | undefined;
  let oldImage: Record<string, unknown> | undefined;
  if (change.tag === 'insert') {
    eventName = 'INSERT';
    newImage = tupleImage(rel, change.newTuple);
  } else if (change.tag === 'update') {
    eventName = 'MODIFY';
    if (change.old) oldImage = tupleImage(rel, change.old.tuple, change.old.kind === 'key');
    newImage = tupleImage(rel, change.newTuple);
    // Unchanged TOASTed values are not sent; REPLICA IDENTITY FULL gives them in the old row.
    if (oldImage && change.old?.kind === 'full') {
      rel.columns.forEach((c, i) => {
        if (change.newTuple[i]?.kind === 'unchanged' && c.name in oldImage!)
          newImage![c.name] = oldImage![c.name];
      });
    }
  } else {
    eventName = 'REMOVE';
    oldImage = tupleImage(rel, change.old.tuple, change.old.kind === 'key');
  }
  const seq = sequenceNumber(o.commitLsn, o.index);
  const keys = keysOf(rel, newImage ?? oldImage ?? {}, o.primaryKey);
  const size =
    JSON.stringify(keys).length +
    JSON.stringify(newImage ?? {}).length +
    JSON.stringify(oldImage ?? {}).length;
  return {
    eventID: seq,
    eventName,
    eventVersion: '1.1',
    eventSource: 'nimbus:postgres',
    awsRegion: o.region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(o.commitTime / 1000),
      Keys: keys,
      ...(newImage ? { NewImage: newImage } : {}),
      ...(oldImage ? { OldImage: oldImage } : {}),
      SequenceNumber: seq,
      SizeBytes: size,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: o.sourceArn,
  };
}
