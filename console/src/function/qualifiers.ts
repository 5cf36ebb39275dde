import { ListAliasesCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { lambda } from '../api/client';
import { type Loaded, useLoad } from '../hooks';

/** The function's published versions (in order) then its aliases, every page of each. */
export async function publishedQualifiers(name: string, signal: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda().send(
      new ListVersionsByFunctionCommand({ FunctionName: name, ...(marker ? { Marker: marker } : {}) }),
      { abortSignal: signal },
    );
    for (const v of page.Versions ?? []) if (v.Version && v.Version !== '$LATEST') out.push(v.Version);
    marker = page.NextMarker;
  } while (marker);
  do {
    const page = await lambda().send(
      new ListAliasesCommand({ FunctionName: name, ...(marker ? { Marker: marker } : {}) }),
      { abortSignal: signal },
    );
    for (const a of page.Aliases ?? []) if (a.Name) out.push(a.Name);
    marker = page.NextMarker;
  } while (marker);
  return out;
}

/**
 * The qualifiers a per-qualifier setting can be put on, loaded from ListVersionsByFunction and
 * ListAliases: the published versions and aliases, with `$LATEST` first when `withLatest`.
 */
export function usePublishedQualifiers(name: string, withLatest = false): Loaded<string[]> {
  return useLoad(
    async (signal) => {
      const published = await publishedQualifiers(name, signal);
      return withLatest ? ['$LATEST', ...published] : published;
    },
    [name, withLatest],
  );
}
