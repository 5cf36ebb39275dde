import { z } from 'zod';
import type { NimbusClient } from './api-client.js';

/**
 * The API Gateway v2 calls the `route` commands make (`/v2/apis/...`), over the CLI's client.
 * Shapes list only what the CLI reads and allow the rest.
 */
export const Api = z.looseObject({ apiId: z.string(), name: z.string(), apiEndpoint: z.string() });
export type Api = z.infer<typeof Api>;
export const Route = z.looseObject({
  routeId: z.string(),
  routeKey: z.string(),
  target: z.string().optional(),
});
export type Route = z.infer<typeof Route>;
export const Integration = z.looseObject({
  integrationId: z.string(),
  integrationUri: z.string(),
  payloadFormatVersion: z.string(),
});
export type Integration = z.infer<typeof Integration>;
const Stage = z.looseObject({ stageName: z.string() });
const items = <S extends z.ZodType>(item: S) =>
  z.looseObject({ items: z.array(item), nextToken: z.string().optional() });

const APIS = '/v2/apis';

export class HttpApiClient {
  constructor(private readonly client: NimbusClient) {}

  get endpoint(): string {
    return this.client.endpoint;
  }

  async apis(): Promise<Api[]> {
    return this.#all(items(Api), APIS);
  }

  createApi(name: string): Promise<Api> {
    return this.client.call(Api, 'POST', APIS, { json: { name, protocolType: 'HTTP' } });
  }

  async stages(apiId: string): Promise<string[]> {
    return (await this.#all(items(Stage), `${APIS}/${apiId}/stages`)).map((s) => s.stageName);
  }

  async createStage(apiId: string, stageName: string): Promise<void> {
    await this.client.call(Stage, 'POST', `${APIS}/${apiId}/stages`, {
      json: { stageName, autoDeploy: true },
    });
  }

  routes(apiId: string): Promise<Route[]> {
    return this.#all(items(Route), `${APIS}/${apiId}/routes`);
  }

  createRoute(apiId: string, routeKey: string, target: string): Promise<Route> {
    return this.client.call(Route, 'POST', `${APIS}/${apiId}/routes`, { json: { routeKey, target } });
  }

  deleteRoute(apiId: string, routeId: string): Promise<void> {
    return this.client.callNoContent('DELETE', `${APIS}/${apiId}/routes/${routeId}`);
  }

  integrations(apiId: string): Promise<Integration[]> {
    return this.#all(items(Integration), `${APIS}/${apiId}/integrations`);
  }

  createIntegration(apiId: string, functionArn: string, payloadFormatVersion: string): Promise<Integration> {
    return this.client.call(Integration, 'POST', `${APIS}/${apiId}/integrations`, {
      json: { integrationType: 'AWS_PROXY', integrationUri: functionArn, payloadFormatVersion },
    });
  }

  deleteIntegration(apiId: string, integrationId: string): Promise<void> {
    return this.client.callNoContent('DELETE', `${APIS}/${apiId}/integrations/${integrationId}`);
  }

  async #all<T>(
    schema: z.ZodType<{ items: T[]; nextToken?: string | undefined }>,
    path: string,
  ): Promise<T[]> {
    const all: T[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.call(schema, 'GET', path, { query: { nextToken } });
      all.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return all;
  }
}
