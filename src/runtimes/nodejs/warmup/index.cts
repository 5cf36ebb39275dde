// A handler the zygote loads through the real loader before it knows its function, so the
// module loader's code is compiled and warm when the user's code is loaded.
module.exports.handler = async (event: unknown) => event;
