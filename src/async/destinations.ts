import { type AccountScope, type FunctionRef, LATEST, parseFunctionRef } from '../domain/arn.js';
import { invalidParameter, isLambdaError } from '../domain/errors.js';
import type { FunctionRegistry } from '../registry/function-registry.js';
import {
  type DestinationMessage,
  type DestinationSender,
  DestinationUnavailableError,
  type EventInvoker,
} from './ports.js';

/** AWS's pattern for `DestinationConfig.*.Destination` (service model `DestinationArn`). */
export const DESTINATION_ARN_PATTERN_TEXT =
  '^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';
const DESTINATION_ARN =
  /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-]+):([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;

/** Services AWS accepts as destinations; Nimbus delivers to those with a registered sender. */
const AWS_DESTINATION_SERVICES = new Set(['lambda', 'sqs', 'sns', 'events', 's3']);

/**
 * What AWS answers when a function cannot send to its dead-letter target, a missing one included
 * (an SQS queue or SNS topic that does not exist cannot be sent to).
 */
const DEAD_LETTER_REFUSED: Record<'sqs' | 'sns', string> = {
  sqs: 'The provided execution role does not have permissions to call SendMessage on SQS',
  sns: 'The provided execution role does not have permissions to call Publish on SNS',
};

export function matchesDestinationPattern(arn: string): boolean {
  return arn === '' || DESTINATION_ARN.test(arn);
}

/** The service of a destination ARN (`lambda`, `sqs`, ...). */
export function destinationService(arn: string): string | undefined {
  return DESTINATION_ARN.exec(arn)?.[2];
}

/**
 * Routes destinations to the sender of their ARN's service. Other issues register theirs (the
 * queue service registers `sqs`) with {@link register}.
 */
export class DestinationRouter {
  readonly #senders = new Map<string, DestinationSender>();

  register(sender: DestinationSender): void {
    this.#senders.set(sender.service, sender);
  }

  /** Whether AWS would accept this service as a destination at all. */
  isKnownService(arn: string): boolean {
    const service = destinationService(arn);
    return service !== undefined && AWS_DESTINATION_SERVICES.has(service);
  }

  /** Refuses a destination Nimbus cannot deliver to, or whose target does not exist. */
  async validate(arn: string, sourceFunctionName: string): Promise<void> {
    const service = destinationService(arn) ?? '';
    const sender = this.#senders.get(service);
    if (!sender) {
      throw invalidParameter(
        `The destination ARN ${arn} is invalid. This Nimbus server delivers to ${[...this.#senders.keys()].join(', ')} destinations only.`,
      );
    }
    await sender.validate(arn, sourceFunctionName);
  }

  /**
   * Refuses a `DeadLetterConfig.TargetArn` (CreateFunction, UpdateFunctionConfiguration) that cannot
   * take dead letters: AWS accepts only an SQS queue or SNS topic, never a FIFO queue, and checks
   * at configuration time that the function can send to it. Where AWS cannot send it answers with
   * its permission text (what it says for a queue that does not exist too); Nimbus adds the reason.
   */
  async validateDeadLetter(arn: string): Promise<void> {
    const service = destinationService(arn);
    if (service !== 'sqs' && service !== 'sns') {
      throw invalidParameter(
        `Invalid dead letter queue ARN: ${arn} is neither an Amazon SQS queue nor an Amazon SNS topic.`,
      );
    }
    if (service === 'sqs' && arn.endsWith('.fifo')) {
      throw invalidParameter(
        'Invalid dead letter queue ARN: FIFO SQS queue is not supported for dead letter configuration',
      );
    }
    const refused = DEAD_LETTER_REFUSED[service];
    const sender = this.#senders.get(service);
    if (!sender) throw invalidParameter(`${refused} (this Nimbus server has no ${service} service).`);
    try {
      await sender.validate(arn, '');
    } catch (e) {
      if (!isLambdaError(e) || e.code !== 'InvalidParameterValueException') throw e;
      throw invalidParameter(`${refused} (no ${service} resource ${arn} exists on this Nimbus server).`);
    }
  }

  async send(arn: string, message: DestinationMessage): Promise<void> {
    const service = destinationService(arn) ?? '';
    const sender = this.#senders.get(service);
    if (!sender) throw new DestinationUnavailableError(`no ${service || 'such'} service delivers to ${arn}`);
    await sender.send(arn, message);
  }
}

/**
 * Another Nimbus function as a destination: the message is invoked on it asynchronously (the
 * invocation record becomes its event), through the same durable queue.
 */
export class LambdaDestinationSender implements DestinationSender {
  readonly service = 'lambda';

  constructor(
    private readonly registry: FunctionRegistry,
    private readonly scope: AccountScope,
    private readonly events: EventInvoker,
  ) {}

  async validate(arn: string, sourceFunctionName: string): Promise<void> {
    const ref = this.#ref(arn);
    if (!ref) throw invalidParameter(`The destination ARN ${arn} is invalid.`);
    if (ref.name === sourceFunctionName) {
      throw invalidParameter("You can't specify the function as a destination for itself.");
    }
    const exists = (await this.registry.get(ref.name)) !== undefined;
    if (!exists || (ref.qualifier !== undefined && ref.qualifier !== LATEST)) {
      throw invalidParameter(`The destination ARN ${arn} is invalid.`);
    }
  }

  async send(arn: string, message: DestinationMessage): Promise<void> {
    const ref = this.#ref(arn);
    if (!ref) throw new DestinationUnavailableError(`${arn} is not a function ARN`);
    try {
      await this.events.invokeAsync({ ref, payload: message.body });
    } catch (e) {
      if (isLambdaError(e) && e.code === 'ResourceNotFoundException') {
        throw new DestinationUnavailableError(`the function ${arn} does not exist (any more)`, { cause: e });
      }
      throw e;
    }
  }

  #ref(arn: string): FunctionRef | undefined {
    if (!arn.startsWith('arn:')) return undefined;
    try {
      return parseFunctionRef(this.scope, arn);
    } catch {
      return undefined;
    }
  }
}
