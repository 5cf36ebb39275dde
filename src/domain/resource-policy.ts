import { invalidParameter } from './errors.js';

/**
 * Lambda resource-based policies (AddPermission / GetPolicy / RemovePermission): the statement AWS
 * builds from an AddPermission request, and the policy document GetPolicy returns. Nimbus stores
 * and returns them; it does not evaluate IAM, so no statement grants or denies anything here.
 */

/** One IAM statement as Lambda writes it (member order as AWS serialises it). */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: '*' | { Service: string } | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface PermissionRequest {
  statementId: string;
  action: string;
  principal: string;
  sourceArn?: string;
  sourceAccount?: string;
  eventSourceToken?: string;
  principalOrgId?: string;
  functionUrlAuthType?: 'NONE' | 'AWS_IAM';
  invokedViaFunctionUrl?: boolean;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Id: 'default';
  Statement: PolicyStatement[];
}

const ACCOUNT_ID = /^\d{12}$/;
const IAM_ARN = /^arn:aws[a-zA-Z-]*:iam::/;
/** Service principals are domain-style: `s3.amazonaws.com`, `alexa-appkit.amazon.com`. */
const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazon(aws)?\.com(\.cn)?$/;

/** The principal member of the statement: a service, an account (as its root ARN), an IAM ARN, or `*`. */
export function principalOf(principal: string, partition: string): PolicyStatement['Principal'] {
  if (principal === '*') return '*';
  if (SERVICE_PRINCIPAL.test(principal)) return { Service: principal };
  if (ACCOUNT_ID.test(principal)) return { AWS: `arn:${partition}:iam::${principal}:root` };
  if (IAM_ARN.test(principal)) return { AWS: principal };
  throw invalidParameter('The provided principal was invalid. Please check the principal and try again.');
}

/**
 * The statement AddPermission adds. Conditions as AWS writes them: `StringEquals` for the auth
 * type, organisation, source account and event source token, `ArnLike` for the source ARN (AWS
 * documents that it compares it with a like-operator), `Bool` for `lambda:InvokedViaFunctionUrl`.
 */
export function buildStatement(req: PermissionRequest, resourceArn: string): PolicyStatement {
  const partition = resourceArn.split(':')[1] ?? 'aws';
  const condition: Record<string, Record<string, string>> = {};
  const add = (operator: string, key: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    condition[operator] = { ...condition[operator], [key]: value };
  };
  add('StringEquals', 'lambda:FunctionUrlAuthType', req.functionUrlAuthType);
  add('StringEquals', 'aws:PrincipalOrgID', req.principalOrgId);
  add('StringEquals', 'AWS:SourceAccount', req.sourceAccount);
  add('StringEquals', 'lambda:EventSourceToken', req.eventSourceToken);
  add('ArnLike', 'AWS:SourceArn', req.sourceArn);
  add(
    'Bool',
    'lambda:InvokedViaFunctionUrl',
    req.invokedViaFunctionUrl === undefined ? undefined : String(req.invokedViaFunctionUrl),
  );
  return {
    Sid: req.statementId,
    Effect: 'Allow',
    Principal: principalOf(req.principal, partition),
    Action: req.action,
    Resource: resourceArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

export function policyDocument(statements: readonly PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Id: 'default', Statement: [...statements] };
}
