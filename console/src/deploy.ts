import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { lambda, nimbus } from './api/client';
import { ApiError } from './api/errors';

interface BuildAnswer {
  building: boolean;
  log: { id: number; timestamp: number; message: string }[];
  nextAfterId: number;
}

/**
 * Waits for a function to be ready (State Active, LastUpdateStatus not InProgress), as
 * `aws lambda wait function-active-v2` / `function-updated-v2` do, reporting each state seen. While
 * a build runs (dependencies to install, TypeScript to compile) its log lines are passed on as
 * `GET /nimbus/v1/functions/{name}/build` gives them.
 */
export async function waitUntilReady(
  name: string,
  onState: (state: string) => void,
  onBuildLog?: (lines: string[]) => void,
  timeoutMs = 300_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let afterId: number | undefined;
  const follow = async () => {
    if (!onBuildLog) return;
    const b = await nimbus<BuildAnswer>('GET', `/nimbus/v1/functions/${encodeURIComponent(name)}/build`, {
      query: { afterId },
    });
    // The first answer holds the latest build's whole log; later ones what came after.
    if (b.log.length) onBuildLog(b.log.map((l) => l.message.replace(/\n$/, '')));
    afterId = b.nextAfterId;
  };
  for (;;) {
    const c = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    onState(`State: ${c.State}, LastUpdateStatus: ${c.LastUpdateStatus}`);
    const building = c.State === 'Pending' || c.LastUpdateStatus === 'InProgress';
    const failed = c.State === 'Failed' || c.LastUpdateStatus === 'Failed';
    // A build that failed before the first look still has a log that says why.
    if (building || failed || afterId !== undefined) await follow().catch(() => undefined);
    if (failed) {
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
