// The baseline every benchmark compares against: a bare Node HTTP server that reads the request
// body, parses it as the event, calls the handler in-process and writes its JSON result.
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
    const event = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    const body = JSON.stringify((await handler(event, context)) ?? null);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(Number(port), '127.0.0.1');
