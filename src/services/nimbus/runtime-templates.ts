import { SUPPORTED_RUNTIMES } from '../../domain/runtimes.js';

/** What the console needs to offer a runtime: its editor language and a starting handler. */
export interface RuntimeOffer {
  runtime: string;
  /** `nodejs`, `python`, ... */
  family: string;
  /** The code editor's language. */
  language: 'javascript' | 'python' | 'text';
  /** The handler setting that matches the template. */
  handler: string;
  /** The template's file name inside the deployment package. */
  fileName: string;
  template: string;
}

interface Family {
  matches: (runtime: string) => boolean;
  offer: Omit<RuntimeOffer, 'runtime'>;
}

/** Templates per runtime family, like the Lambda console's "Author from scratch". */
const FAMILIES: readonly Family[] = [
  {
    matches: (r) => r.startsWith('nodejs'),
    offer: {
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
  },
];

/** The runtimes this server runs, newest first, each with its template. */
export function runtimeOffers(runtimes: readonly string[] = SUPPORTED_RUNTIMES): RuntimeOffer[] {
  const offers: RuntimeOffer[] = [];
  for (const runtime of [...runtimes].reverse()) {
    const family = FAMILIES.find((f) => f.matches(runtime));
    if (family) offers.push({ runtime, ...family.offer });
  }
  return offers;
}
