// The HTTP baseline: a bare Node server that turns each request into a minimal payload 2.0 event,
// calls the handler in-process and writes its statusCode/headers/body. What any HTTP trigger costs
// is measured against this.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const [handlerFile, port] = process.argv.slice(2);
const { handler } = createRequire(import.meta.url)(handlerFile);
const context = { awsRequestId: 'baseline', functionName: 'baseline', getRemainingTimeInMillis: () => 3000 };

createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const q = req.url.indexOf('?');
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: q === -1 ? req.url : req.url.slice(0, q),
      rawQueryString: q === -1 ? '' : req.url.slice(q + 1),
      headers: req.headers,
      requestContext: { http: { method: req.method, path: req.url } },
      body: chunks.length ? Buffer.concat(chunks).toString() : undefined,
      isBase64Encoded: false,
    };
    const r = await handler(event, context);
    const body = Buffer.from(r.body ?? '');
    res.writeHead(r.statusCode, { ...r.headers, 'content-length': body.length });
    res.end(body);
  });
}).listen(Number(port), '127.0.0.1');
