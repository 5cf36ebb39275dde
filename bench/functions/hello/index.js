// The function every invoke benchmark runs, on Nimbus and in the bare-Node baseline alike.
exports.handler = async (event) => ({ statusCode: 200, body: 'hello', echo: event.n ?? null });
