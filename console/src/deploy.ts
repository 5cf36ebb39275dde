import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { lambda } from './api/client';
import { ApiError } from './api/errors';

/**
 * Waits for a function to be ready (State Active, LastUpdateStatus not InProgress), as
 * `aws lambda wait function-active-v2` / `function-updated-v2` do, reporting each state seen.
 */
export async function waitUntilReady(
  name: string,
  onState: (state: string) => void,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    onState(`State: ${c.State}, LastUpdateStatus: ${c.LastUpdateStatus}`);
    if (c.State === 'Failed' || c.LastUpdateStatus === 'Failed') {
      throw new ApiError(
        c.StateReasonCode ?? c.LastUpdateStatusReasonCode ?? 'Failed',
        c.StateReason ?? c.LastUpdateStatusReason ?? 'The deployment failed.',
        0,
      );
    }
    if (c.State === 'Active' && c.LastUpdateStatus !== 'InProgress') return;
    if (Date.now() > deadline) throw new ApiError('Timeout', `${name} did not become Active in time.`, 0);
    await new Promise((r) => setTimeout(r, 250));
  }
}
