import { type FunctionRef, LATEST } from '../domain/arn.js';
import { conflict, invalidParameter, LambdaError, notFound } from '../domain/errors.js';
import { RESOURCE_POLICY_MAX_BYTES } from '../domain/limits.js';
import {
  buildStatement,
  type PermissionRequest,
  type PolicyDocument,
  type PolicyStatement,
  policyDocument,
} from '../domain/resource-policy.js';
import type { PolicyStore } from '../store/ports.js';
import type { FunctionChange, FunctionRegistry } from './function-registry.js';

/**
 * Resource-based policies of functions, versions and aliases (AddPermission, GetPolicy,
 * RemovePermission). Stored and returned as AWS builds them; Nimbus does not evaluate IAM, so a
 * policy grants nothing and its absence denies nothing. Messages are AWS's (as observed and
 * recorded by emulators that snapshot the real service).
 */
export class FunctionPolicies {
  constructor(
    private readonly registry: FunctionRegistry,
    private readonly store: PolicyStore,
  ) {}

  async add(ref: FunctionRef, req: PermissionRequest, revisionId?: string): Promise<PolicyStatement> {
    if (ref.qualifier === LATEST)
      throw invalidParameter('We currently do not support adding policies for $LATEST.');
    return this.registry.changePolicy(ref, revisionId, async (target) => {
      const statements = await this.store.get(ref.name, target.key);
      if (statements.some((s) => s.Sid === req.statementId)) {
        throw conflict(
          `The statement id (${req.statementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        );
      }
      const statement = buildStatement(req, target.arn);
      const next = [...statements, statement];
      const size = Buffer.byteLength(JSON.stringify(policyDocument(next)));
      if (size > RESOURCE_POLICY_MAX_BYTES) {
        throw new LambdaError(
          'PolicyLengthExceededException',
          `The final policy size (${size}) is bigger than the limit (${RESOURCE_POLICY_MAX_BYTES}).`,
        );
      }
      await this.store.put(ref.name, target.key, next);
      return statement;
    });
  }

  async get(ref: FunctionRef): Promise<{ policy: PolicyDocument; revisionId: string }> {
    const target = await this.registry.policyTarget(ref);
    const statements = await this.store.get(ref.name, target.key);
    if (statements.length === 0) throw notFound('The resource you requested does not exist.');
    return { policy: policyDocument(statements), revisionId: target.revisionId };
  }

  async remove(ref: FunctionRef, statementId: string, revisionId?: string): Promise<void> {
    await this.registry.changePolicy(ref, revisionId, async (target) => {
      const statements = await this.store.get(ref.name, target.key);
      if (statements.length === 0) throw notFound('No policy is associated with the given resource.');
      const next = statements.filter((s) => s.Sid !== statementId);
      if (next.length === statements.length)
        throw notFound(`Statement ${statementId} is not found in resource policy.`);
      await this.store.put(ref.name, target.key, next);
    });
  }

  /** A policy goes with its version or alias (the function's own go with it by cascade). */
  async functionChanged(change: FunctionChange): Promise<void> {
    const gone = change.deletedVersion ?? change.deletedAlias;
    if (gone !== undefined) await this.store.delete(change.name, gone);
  }
}
