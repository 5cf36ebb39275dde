/**
 * The invoke loop (lambda-reference §4.3): `GET next`, publish the request id to logs, crash
 * reports and `_X_AMZN_TRACE_ID`, run the invoke, repeat. The pending `GET next` is what keeps
 * the process alive between invokes.
 */
import { forwardTraceId, tenantIdOf } from './context.js';
import type { CrashState } from './crash.js';
import { setLogContext } from './log-patch.js';
import type { Invocation, RuntimeClient } from './runtime-client.js';

/** Runs one invoke; resolves when the runtime may ask for the next one. */
export type Invoker = (invocation: Invocation) => Promise<void>;

export async function runInvokeLoop(
  client: RuntimeClient,
  invoke: Invoker,
  state: CrashState,
): Promise<void> {
  while (!state.crashing) {
    const invocation = await client.nextInvocation();
    state.requestId = invocation.requestId;
    setLogContext(invocation.requestId, tenantIdOf(invocation));
    forwardTraceId(invocation);
    await invoke(invocation);
  }
}
