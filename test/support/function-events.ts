/**
 * Test functions print each event they get as one `EVENT <json>` log line; this reads them back
 * through Nimbus's log API, in the order they were logged.
 */
export const EVENT_LOGGER = `
exports.logEvent = (event) => console.log('EVENT ' + JSON.stringify(event));
`;

export async function functionEvents<T = { Records: Record<string, unknown>[] }>(
  url: string,
  fn: string,
): Promise<T[]> {
  const res = await fetch(`${url}/nimbus/v1/functions/${fn}/logs?filter=EVENT%20&limit=10000`);
  if (!res.ok) throw new Error(`logs of ${fn}: ${res.status} ${await res.text()}`);
  const { events } = (await res.json()) as { events: { message: string }[] };
  const out: T[] = [];
  for (const e of events) {
    const at = e.message.indexOf('EVENT ');
    if (at >= 0) out.push(JSON.parse(e.message.slice(at + 6)) as T);
  }
  return out;
}
