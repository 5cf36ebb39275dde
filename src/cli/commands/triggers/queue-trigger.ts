import { Option } from 'commander';
import { positiveInteger } from '../../option-parsers.js';
import { commonMappingMembers, type TriggerKind } from './trigger-kind.js';

/** `nimbus trigger add <fn> --queue NAME`: an SQS event source mapping on a Nimbus queue. */
export const queueTrigger: TriggerKind = {
  name: 'queue',
  addOptions(cmd) {
    cmd.addOption(new Option('--queue <name>', 'a queue of this Nimbus (name or SQS ARN)'));
    cmd.addOption(
      new Option('--max-concurrency <n>', 'queue: at most this many batches at once (2-1000)').argParser(
        positiveInteger,
      ),
    );
  },
  selects: (opts) => typeof opts.queue === 'string',
  async add(client, target, opts) {
    const queue = String(opts.queue);
    const arn = queue.startsWith('arn:')
      ? queue
      : `arn:aws:sqs:${target.region}:${target.accountId}:${queue}`;
    const m = await client.createEventSourceMapping({
      FunctionName: target.name,
      EventSourceArn: arn,
      ...commonMappingMembers(opts),
      ...(opts.maxConcurrency !== undefined
        ? { ScalingConfig: { MaximumConcurrency: opts.maxConcurrency } }
        : {}),
    });
    return `Added trigger ${m.UUID}: queue ${queue} → ${target.name} (batch size ${m.BatchSize ?? '-'}, ${m.State})`;
  },
};
