import { z } from 'zod';
import { STATEMENT_ID_MAX } from '../../domain/limits.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { FunctionPolicies } from '../../registry/function-policies.js';
import { functionRef, jsonBody, type LambdaRoute } from './lambda-call.js';
import { parseMembers } from './validation.js';

export interface PolicyRoutesDeps {
  policies: FunctionPolicies;
}

/** `AddPermissionRequest` members and their constraints from the Lambda model (botocore 1.43). */
const AddPermissionRequest = z.strictObject({
  StatementId: z
    .string()
    .min(1)
    .max(STATEMENT_ID_MAX)
    .regex(/^([a-zA-Z0-9-_]+)$/),
  Action: z.string().regex(/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/),
  Principal: z.string().regex(/^[^\s]+$/),
  SourceArn: z
    .string()
    .regex(/^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/)
    .optional(),
  SourceAccount: z
    .string()
    .max(12)
    .regex(/^\d{12}$/)
    .optional(),
  EventSourceToken: z
    .string()
    .max(256)
    .regex(/^[a-zA-Z0-9._-]+$/)
    .optional(),
  RevisionId: z.string().optional(),
  PrincipalOrgID: z
    .string()
    .min(12)
    .max(34)
    .regex(/^o-[a-z0-9]{10,32}$/)
    .optional(),
  FunctionUrlAuthType: z.enum(['NONE', 'AWS_IAM']).optional(),
  InvokedViaFunctionUrl: z.boolean().optional(),
});

/** RemovePermission's `StatementId` path label (`NamespacedStatementId`) and its query. */
const RemovePermissionMembers = z.object({
  StatementId: z
    .string()
    .min(1)
    .max(STATEMENT_ID_MAX)
    .regex(/^([a-zA-Z0-9-_.]+)$/),
  RevisionId: z.string().optional(),
});

/**
 * AddPermission, GetPolicy and RemovePermission (`/2015-03-31/functions/{FunctionName}/policy`).
 * The qualifier comes from `?Qualifier` or the function identifier itself.
 */
export function addPolicyRoutes(router: RestRouter<LambdaRoute>, d: PolicyRoutesDeps): void {
  const path = '/2015-03-31/functions/{FunctionName}/policy';

  router.add('POST', path, {
    operation: 'AddPermission',
    handler: async (call) => {
      const r = jsonBody(call, AddPermissionRequest);
      const statement = await d.policies.add(
        functionRef(call),
        {
          statementId: r.StatementId,
          action: r.Action,
          principal: r.Principal,
          ...defined({
            sourceArn: r.SourceArn,
            sourceAccount: r.SourceAccount,
            eventSourceToken: r.EventSourceToken,
            principalOrgId: r.PrincipalOrgID,
            functionUrlAuthType: r.FunctionUrlAuthType,
            invokedViaFunctionUrl: r.InvokedViaFunctionUrl,
          }),
        },
        r.RevisionId,
      );
      return { status: 201, json: { Statement: JSON.stringify(statement) } };
    },
  });

  router.add('GET', path, {
    operation: 'GetPolicy',
    handler: async (call) => {
      const { policy, revisionId } = await d.policies.get(functionRef(call));
      return { status: 200, json: { Policy: JSON.stringify(policy), RevisionId: revisionId } };
    },
  });

  router.add('DELETE', `${path}/{StatementId}`, {
    operation: 'RemovePermission',
    handler: async (call) => {
      const revision = call.x.query.get('RevisionId');
      const m = parseMembers(RemovePermissionMembers, {
        StatementId: call.params.StatementId ?? '',
        ...(revision === null ? {} : { RevisionId: revision }),
      });
      await d.policies.remove(functionRef(call), m.StatementId, m.RevisionId);
      return { status: 204 };
    },
  });
}

function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
