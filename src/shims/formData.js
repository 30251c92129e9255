// axios's Node adapter imports the `form-data` package, which drags in mime-db (~130 KiB) only
// to build multipart bodies with its own class. The extension host's Node has a standard
// FormData that axios streams natively, so esbuild.js maps `form-data` to it.
module.exports = globalThis.FormData;
