import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as esbuild from 'esbuild';
import { round } from './benchCommon';

// Bundle

/**
 * The build options esbuild.js uses for dist/extension.js with --production, read by running
 * esbuild.js against a stand-in `esbuild` module that records the options instead of building. So
 * the bench never drifts from the real build (aliases, shims, targets).
 */
export function productionBuildOptions(root: string): esbuild.BuildOptions {
  const script = path.join(root, 'esbuild.js');
  const captured: esbuild.BuildOptions[] = [];
  const requireFromScript = createRequire(script);
  const idle = { rebuild: () => Promise.resolve(), dispose: () => Promise.resolve(), watch: () => Promise.resolve() };
  const stubRequire = (name: string): unknown => {
    if (name === 'esbuild') {
      const record =
        <T>(result: T) =>
        (options: esbuild.BuildOptions): Promise<T> => {
          captured.push(options);
          return Promise.resolve(result);
        };
      return { context: record(idle), build: record({ errors: [], warnings: [] }) };
    }
    return requireFromScript(name);
  };
  const fakeProcess = { argv: [process.execPath, script, '--production'], env: process.env, exit: () => undefined, cwd: () => root };
  vm.runInNewContext(
    fs.readFileSync(script, 'utf8'),
    {
      require: stubRequire,
      process: fakeProcess,
      console: { log: () => undefined, error: () => undefined },
      module: {},
      exports: {},
      __dirname: root,
      __filename: script,
    },
    { filename: script },
  );
  const target = captured.find(
    (options) => typeof options.outfile === 'string' && options.outfile.replace(/\\/g, '/').endsWith('dist/extension.js'),
  );
  if (!target) throw new Error('esbuild.js has no target with outfile dist/extension.js');
  return target;
}

/**
 * A plugin read from esbuild.js, which ran in its own `vm` context: esbuild checks that a filter is a
 * RegExp of this realm, so each `onResolve` and `onLoad` filter is made again here.
 */
function inThisRealm(plugin: esbuild.Plugin): esbuild.Plugin {
  const again = (filter: RegExp): RegExp => new RegExp(filter.source, filter.flags);
  return {
    name: plugin.name,
    setup: (build) =>
      plugin.setup({
        ...build,
        onResolve: (opts, callback) => build.onResolve({ ...opts, filter: again(opts.filter) }, callback),
        onLoad: (opts, callback) => build.onLoad({ ...opts, filter: again(opts.filter) }, callback),
      }),
  };
}

export async function benchBundle(root: string, notes: string[]): Promise<{ kib: number; source: string; top: Record<string, number> }> {
  // Built in memory with esbuild.js's own production options, for the per-input breakdown, and as
  // the figure when dist/ holds a development build (e.g. an integration run rebuilt it meanwhile).
  const options = productionBuildOptions(root);
  const built = await esbuild.build({
    ...options,
    absWorkingDir: root,
    // esbuild.js's own plugins stay: without them the tokenizer tables (3.6 MiB, built as their own
    // dist/tokenizer.js) were counted as part of dist/extension.js.
    plugins: (options.plugins ?? []).map(inThisRealm),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inMemory = built.outputFiles.find((file) => file.path.endsWith('extension.js'))?.contents.length ?? 0;
  const byPackage = new Map<string, number>();
  for (const output of Object.values(built.metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match ? match[1] : input.startsWith('src/') ? 'src/ (ours)' : input;
      byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
    }
  }
  const top = Object.fromEntries(
    [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, bytes]) => [name, round(bytes / 1024)]),
  );

  const dist = path.join(root, 'dist', 'extension.js');
  if (fs.existsSync(dist)) {
    const text = fs.readFileSync(dist, 'utf8');
    const production = !/\/\/# sourceMappingURL=\S+\s*$/.test(text);
    if (production) {
      const kib = Buffer.byteLength(text) / 1024;
      if (Math.abs(kib - inMemory / 1024) > 0.02 * kib)
        notes.push(
          `bundle: dist/extension.js (${round(kib)} KiB) differs from an in-memory build with esbuild.js's options (${round(inMemory / 1024)} KiB); was dist/ rebuilt from other sources meanwhile?`,
        );
      return { kib: round(kib), source: 'dist/extension.js', top };
    }
    notes.push(
      'bundle: dist/extension.js is a development build (has a source map); measured an in-memory production build with the options of esbuild.js instead. `npm run bench` builds production first.',
    );
  } else {
    notes.push('bundle: dist/extension.js is missing; measured an in-memory production build with the options of esbuild.js instead.');
  }
  return { kib: round(inMemory / 1024), source: 'esbuild in memory (production options)', top };
}
