// The no-op function of the async benchmark: what is measured is the platform around it.
exports.handler = async () => null;
