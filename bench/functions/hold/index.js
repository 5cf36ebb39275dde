// Holds a concurrency slot for `ms` milliseconds (the async benchmark fills the account with it).
exports.handler = async (event) => new Promise((resolve) => setTimeout(() => resolve(null), event.ms));
