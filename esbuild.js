// Bundles the extension and the MCP server (Node, CommonJS) and the webview scripts for the detail, results and compare panels (browser, IIFE).
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the `file:line:col: error:` form VS Code's problem matcher understands. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log(`[watch] build started (${build.initialOptions.outfile})`));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log(`[watch] build finished (${build.initialOptions.outfile})`);
    });
  },
};

/**
 * The tokenizers (~3 MB of token tables) stay out of dist/extension.js: `import('./encodings')`
 * in src/tokenizer/loadTokenizer.ts becomes `require('./tokenizer.js')`, built as its own file
 * below and loaded only when the Create flow estimates tokens.
 */
const lazyTokenizerPlugin = {
  name: 'lazy-tokenizer',
  setup(build) {
    build.onResolve({ filter: /^\.\/encodings$/ }, (args) =>
      args.importer.replace(/\\/g, '/').endsWith('src/tokenizer/loadTokenizer.ts') ? { path: './tokenizer.js', external: true } : undefined,
    );
  },
};

/** zod's index of every message locale becomes src/shims/zodLocales.js (English only), in dist/mcp.js. */
const zodEnglishOnlyPlugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: require('path').resolve('src/shims/zodLocales.js') } : undefined,
    );
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  plugins: watch ? [problemMatcherPlugin] : [],
};

const targets = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    format: 'cjs',
    platform: 'node',
    target: 'node18',
    external: ['vscode'],
    plugins: [...common.plugins, lazyTokenizerPlugin],
    // Smaller stand-ins for two axios dependencies the extension never needs (see src/shims/).
    alias: { 'form-data': './src/shims/formData.js', 'follow-redirects': './src/shims/followRedirects.js', debug: './src/shims/debug.js' },
  },
  {
    // The MCP server (`node dist/mcp.js`): the same core as the extension, no vscode; the MCP SDK and zod live only here.
    ...common,
    entryPoints: ['src/mcp/server.ts'],
    outfile: 'dist/mcp.js',
    format: 'cjs',
    platform: 'node',
    target: 'node18',
    plugins: [...common.plugins, lazyTokenizerPlugin, zodEnglishOnlyPlugin],
    alias: { 'form-data': './src/shims/formData.js', 'follow-redirects': './src/shims/followRedirects.js', debug: './src/shims/debug.js' },
    define: { MCP_SERVER_VERSION: JSON.stringify(require('./package.json').version) },
  },
  {
    // The results index's worker thread (src/core/results/progressiveIndex.ts starts it from dist/).
    ...common,
    entryPoints: ['src/core/results/resultsWorker.ts'],
    outfile: 'dist/resultsWorker.js',
    format: 'cjs',
    platform: 'node',
    target: 'node18',
  },
  {
    // The scans over big files (error groups, resubmit, split; src/core/input/scans.ts starts it from dist/).
    ...common,
    entryPoints: ['src/core/input/scanWorker.ts'],
    outfile: 'dist/scanWorker.js',
    format: 'cjs',
    platform: 'node',
    target: 'node18',
  },
  {
    ...common,
    entryPoints: ['src/tokenizer/encodings.ts'],
    outfile: 'dist/tokenizer.js',
    format: 'cjs',
    platform: 'node',
    target: 'node18',
  },
  {
    ...common,
    entryPoints: ['media/detail.ts'],
    outfile: 'dist/detail.js',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
  },
  {
    ...common,
    entryPoints: ['media/results.ts'],
    outfile: 'dist/results.js',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
  },
  {
    ...common,
    entryPoints: ['media/compare.ts'],
    outfile: 'dist/compare.js',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
  },
];

async function main() {
  const contexts = await Promise.all(targets.map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
