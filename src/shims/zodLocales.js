// zod re-exports every one of its ~50 message locales (`z.locales`), about 260 KB of dist/mcp.js;
// the MCP server's messages are English, which zod configures by default. esbuild.js maps zod's
// locale index to this file, which keeps English only.
exports.en = require('zod/v4/locales/en.js').default;
