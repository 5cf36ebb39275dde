// The function every HTTP benchmark runs: behind a function URL, a route, serverless-offline and
// the bare-Node baseline alike.
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'text/plain' },
  body: `hello ${event.rawPath ?? event.path ?? ''}`,
});
