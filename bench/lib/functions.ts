/** Creating functions for the benchmarks, over the Lambda API (no SDK on the measured path). */

export const BENCH_ROLE = 'arn:aws:iam::000000000000:role/bench';

/** CreateFunction with a Node.js handler `index.handler`; `extra` adds or overrides members. */
export async function createBenchFunction(
  url: string,
  name: string,
  zip: Buffer,
  extra: Record<string, unknown> = {},
): Promise<{ State: string }> {
  const res = await fetch(`${url}/2015-03-31/functions`, {
    method: 'POST',
    body: JSON.stringify({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: BENCH_ROLE,
      Code: { ZipFile: zip.toString('base64') },
      ...extra,
    }),
  });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { State: string };
}
