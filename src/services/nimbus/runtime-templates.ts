import { runtimeFamily, SUPPORTED_RUNTIMES } from '../../domain/runtimes.js';

/** What the console needs to offer a runtime: its editor language and a starting handler. */
export interface RuntimeOffer {
  runtime: string;
  /** `nodejs`, `python`, `provided`. */
  family: string;
  /** The code editor's language. */
  language: 'javascript' | 'python' | 'text';
  /** The handler setting that matches the template. */
  handler: string;
  /** The template's file name inside the deployment package. */
  fileName: string;
  /** The file must be executable in the package (a custom runtime's `bootstrap`). */
  executable?: true;
  template: string;
}

type Offer = Omit<RuntimeOffer, 'runtime'>;

/** Templates per runtime family, like the Lambda console's "Author from scratch"; in this order. */
const FAMILIES: readonly Offer[] = [
  {
    family: 'nodejs',
    language: 'javascript',
    handler: 'index.handler',
    fileName: 'index.mjs',
    template: `export const handler = async (event, context) => {
  console.log('event', JSON.stringify(event));
  return {
    statusCode: 200,
    body: JSON.stringify({ message: 'Hello from Nimbus!', requestId: context.awsRequestId }),
  };
};
`,
  },
  {
    family: 'python',
    language: 'python',
    handler: 'lambda_function.lambda_handler',
    fileName: 'lambda_function.py',
    template: `import json


def lambda_handler(event, context):
    print('event', json.dumps(event))
    return {
        'statusCode': 200,
        'body': json.dumps({'message': 'Hello from Nimbus!', 'requestId': context.aws_request_id}),
    }
`,
  },
  {
    // AWS's custom runtime tutorial, reduced to one file: the bootstrap is the runtime and the handler.
    family: 'provided',
    language: 'text',
    handler: 'function.handler',
    fileName: 'bootstrap',
    executable: true,
    template: `#!/bin/sh
# A custom runtime: this executable asks the Runtime API for events and posts the responses.
set -euo pipefail
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  echo "event $EVENT" 1>&2
  curl -sS -o /dev/null "$API/invocation/$REQUEST_ID/response" \\
    -d '{"statusCode":200,"body":"Hello from Nimbus!"}'
done
`,
  },
];

/** The runtimes this server runs, by family (Node.js, Python, custom), newest first, each with its template. */
export function runtimeOffers(runtimes: readonly string[] = SUPPORTED_RUNTIMES): RuntimeOffer[] {
  const offers: RuntimeOffer[] = [];
  for (const offer of FAMILIES) {
    const own = runtimes.filter((r) => runtimeFamily(r) === offer.family);
    for (const runtime of [...own].reverse()) offers.push({ runtime, ...offer });
  }
  return offers;
}
