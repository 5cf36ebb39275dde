import { type AccountScope, parseFunctionRef } from '../../domain/arn.js';
import { invalidParameter, notFound } from '../../domain/errors.js';
import { TAGS_MAX } from '../../domain/limits.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import { jsonBody, type LambdaCall, type LambdaRoute } from './lambda-call.js';
import { TagResourceRequest } from './schemas.js';

export interface TagsRoutesDeps {
  registry: FunctionRegistry;
  scope: AccountScope;
}

/** TagResource, UntagResource, ListTags on function ARNs. */
export function addTagRoutes(router: RestRouter<LambdaRoute>, d: TagsRoutesDeps): void {
  const functionName = (call: LambdaCall): string => {
    const arn = call.params.ARN ?? '';
    if (!arn.startsWith('arn:')) throw invalidParameter(`Invalid ARN: ${arn}`);
    const ref = parseFunctionRef(d.scope, arn);
    if (ref.qualifier !== undefined) {
      throw invalidParameter(
        'Tags on function aliases and versions are not supported. Please specify a function ARN.',
      );
    }
    return ref.name;
  };
  const current = async (name: string) => {
    const record = await d.registry.get(name);
    if (!record) throw notFound(`Function not found: ${d.registry.arn(name)}`);
    return record.tags;
  };

  router.add('GET', '/2017-03-31/tags/{ARN}', {
    operation: 'ListTags',
    handler: async (call) => ({ status: 200, json: { Tags: await current(functionName(call)) } }),
  });

  router.add('POST', '/2017-03-31/tags/{ARN}', {
    operation: 'TagResource',
    handler: async (call) => {
      const name = functionName(call);
      const { Tags } = jsonBody(call, TagResourceRequest);
      const merged = { ...(await current(name)), ...Tags };
      if (Object.keys(merged).length > TAGS_MAX) {
        throw invalidParameter(`A resource can have at most ${TAGS_MAX} tags.`);
      }
      await d.registry.setTags(name, merged);
      return { status: 204 };
    },
  });

  router.add('DELETE', '/2017-03-31/tags/{ARN}', {
    operation: 'UntagResource',
    handler: async (call) => {
      const name = functionName(call);
      const keys = call.x.query.getAll('tagKeys');
      const tags = { ...(await current(name)) };
      for (const k of keys) delete tags[k];
      await d.registry.setTags(name, tags);
      return { status: 204 };
    },
  });
}
