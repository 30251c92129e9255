import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

const root = path.join(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

interface Manifest {
  main: string;
  icon?: string;
  repository?: { type: string; url: string };
  bugs?: { url: string };
  homepage?: string;
  categories?: string[];
  keywords?: string[];
  galleryBanner?: { color?: string; theme?: string };
  pricing?: string;
  qna?: string | false;
  extensionKind?: string[];
  l10n?: string;
  scripts: Record<string, string>;
  contributes: Record<string, unknown>;
}

/**
 * The packaged .vsix may not grow past this (compressed), README screenshots included. About 1.5 MiB
 * of it is `dist/tokenizer.js` (gpt-tokenizer's o200k_base and cl100k_base ranks, loaded only when
 * Create Batch estimates tokens); about 0.2 MiB is `dist/mcp.js` (the MCP server: the MCP SDK, zod
 * with its English messages only, ajv, and the extension's core); the rest, screenshots included,
 * was about 0.9 MiB when this was set. With dist/mcp.js the package was 2,749 KiB.
 */
const VSIX_BUDGET_BYTES = 3 * 1024 * 1024;

/**
 * What may ship. Anything else (sources, tests, maps, node_modules, media/*.ts) is a
 * .vscodeignore mistake. `extension.vsixmanifest` and `[Content_Types].xml` are vsce's own.
 */
const ALLOWED_ENTRIES: RegExp[] = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt)$/,
  /^extension\/package\.nls(\.[a-z]{2}(-[a-z]{2})?)?\.json$/,
  /^extension\/l10n\/bundle\.l10n(\.[a-z]{2}(-[a-z]{2})?)?\.json$/,
  /^extension\/dist\/[\w.-]+\.js$/,
  /^extension\/media\/[\w/.-]+\.(png|svg|css)$/,
];

/**
 * The categories VS Code's manifest schema accepts (EXTENSION_CATEGORIES in
 * src/vs/platform/extensions/common/extensions.ts, as embedded in VS Code 1.139).
 */
const VSCODE_CATEGORIES = [
  'AI',
  'Azure',
  'Chat',
  'Data Science',
  'Debuggers',
  'Extension Packs',
  'Education',
  'Formatters',
  'Keymaps',
  'Language Packs',
  'Linters',
  'Machine Learning',
  'Notebooks',
  'Programming Languages',
  'SCM Providers',
  'Snippets',
  'Testing',
  'Themes',
  'Visualization',
  'Other',
];

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** The central directory of a zip (a .vsix), read directly: no dependency for a few fields. */
function zipEntries(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip: no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(offset), 0x02014b50, `bad central directory entry ${i}`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({
      method: zip.readUInt16LE(offset + 10),
      compressedSize: zip.readUInt32LE(offset + 20),
      size: zip.readUInt32LE(offset + 24),
      localHeaderOffset: zip.readUInt32LE(offset + 42),
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Runs the project's own vsce with `args`; stdin closed, so any confirmation prompt aborts. */
function vsce(args: string[]): { output: string; status: number | null } {
  const bin = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
  return { output: `${result.stdout}${result.stderr}`, status: result.status };
}

/** The flags of `npm run package`, so the test packages exactly as the e2e suite and users do. */
function packageFlags(): string[] {
  const words = manifest.scripts.package.split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ['vsce', 'package'], `unexpected package script: ${manifest.scripts.package}`);
  const flags = words.slice(2);
  const out = flags.indexOf('-o');
  if (out >= 0) flags.splice(out, 2);
  return flags;
}

function pngSize(file: string): { width: number; height: number } {
  const png = fs.readFileSync(file);
  assert.equal(png.toString('latin1', 1, 4), 'PNG', `${file} is not a PNG`);
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Every `media/…` path package.json refers to (icons, walkthrough media). */
function referencedMedia(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (/^(\.\/)?media\/[\w/.-]+\.\w+$/.test(value)) found.add(value.replace(/^\.\//, ''));
  } else if (Array.isArray(value)) {
    for (const item of value) referencedMedia(item, found);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) referencedMedia(item, found);
  }
  return found;
}

describe('package.json: the gallery listing', () => {
  it('has a 128×128 PNG icon drawn from the SVG beside it', () => {
    assert.equal(manifest.icon, 'media/icon.png');
    assert.deepEqual(pngSize(path.join(root, manifest.icon ?? '')), { width: 128, height: 128 });
    assert.ok(fs.existsSync(path.join(root, 'media', 'icon.svg')), 'media/icon.svg (the source) is missing');
  });

  it('links a repository, issues and homepage on the same https host', () => {
    const repository = manifest.repository?.url ?? '';
    assert.match(repository, /^https:\/\/[\w.-]+\/[\w.-]+\/[\w.-]+\.git$/);
    const base = repository.replace(/\.git$/, '');
    assert.equal(manifest.bugs?.url, `${base}/issues`);
    assert.ok(manifest.homepage?.startsWith(base), `homepage ${manifest.homepage} is not under ${base}`);
  });

  it('uses categories VS Code accepts, at most 30 keywords, and deliberate pricing, Q&A and extension kind', () => {
    assert.ok(manifest.categories?.length, 'no categories');
    assert.ok(!manifest.categories.includes('Other'), '"Other" hides the extension from every category page');
    const unknown = manifest.categories.filter((category) => !VSCODE_CATEGORIES.includes(category));
    assert.deepEqual(unknown, [], `categories VS Code would reject: ${unknown.join(', ')}`);
    const keywords = manifest.keywords ?? [];
    assert.ok(keywords.length > 0 && keywords.length <= 30, `${keywords.length} keywords (the Marketplace takes at most 30)`);
    assert.equal(new Set(keywords).size, keywords.length, 'duplicate keywords');
    assert.match(manifest.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(manifest.galleryBanner?.theme ?? ''), 'galleryBanner.theme must be dark or light');
    assert.ok(manifest.pricing === 'Free' || manifest.pricing === 'Trial', 'pricing is not set');
    assert.ok('qna' in manifest, 'qna is not set');
    // Array form: a string draws a vsce warning. It must run where the workspace's .jsonl files are.
    assert.deepEqual(manifest.extensionKind, ['workspace']);
  });
});

describe('the packaged .vsix', function () {
  this.timeout(240_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-test-'));
  const vsix = path.join(work, 'openai-batch-explorer.vsix');
  let packaged: { output: string; status: number | null };
  let entries: ZipEntry[] = [];

  before(() => {
    packaged = vsce(['package', ...packageFlags(), '-o', vsix]);
    if (packaged.status === 0) entries = zipEntries(fs.readFileSync(vsix));
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('is packaged by `vsce package` with no warning', () => {
    assert.equal(packaged.status, 0, packaged.output);
    const warnings = packaged.output.split('\n').filter((line) => /\bwarn(ing)?\b/i.test(line));
    assert.deepEqual(warnings, [], packaged.output);
  });

  it('holds only the bundles (extension, MCP server, tokenizer), media, README, CHANGELOG, LICENSE, package.json and l10n files', () => {
    assert.ok(entries.length > 0, 'empty or missing package');
    const stray = entries.map((entry) => entry.name).filter((name) => !ALLOWED_ENTRIES.some((allowed) => allowed.test(name)));
    assert.deepEqual(stray, [], `files that should not ship: ${stray.join(', ')}`);
    const names = new Set(entries.map((entry) => entry.name));
    const required = [
      manifest.main.replace(/^\.\//, ''),
      // The MCP server other editors run (`node <extension>/dist/mcp.js`), and the tokenizer it loads beside it.
      'dist/mcp.js',
      'dist/tokenizer.js',
      // The results index's worker thread, started from beside dist/extension.js.
      'dist/resultsWorker.js',
      // The scans over big files (error groups, resubmit, split), in their worker thread.
      'dist/scanWorker.js',
      'readme.md',
      'changelog.md',
      'LICENSE.txt',
      'package.json',
      ...referencedMedia(manifest.contributes),
      manifest.icon!,
      // Every translation in the repository, so a .vscodeignore line cannot drop one.
      ...fs.readdirSync(root).filter((file) => /^package\.nls(\.[\w-]+)?\.json$/.test(file)),
      ...(manifest.l10n ? fs.readdirSync(path.join(root, manifest.l10n)).map((file) => path.posix.join(manifest.l10n!, file)) : []),
    ].map((file) => `extension/${path.posix.normalize(file)}`);
    const missing = required.filter((name) => !names.has(name));
    assert.deepEqual(missing, [], `missing from the package: ${missing.join(', ')}`);
  });

  it(`stays within its size budget (${VSIX_BUDGET_BYTES / 1024} KiB)`, () => {
    const size = fs.statSync(vsix).size;
    const unpacked = entries.reduce((sum, entry) => sum + entry.size, 0);
    console.log(`      .vsix ${(size / 1024).toFixed(1)} KiB, ${entries.length} entries, ${(unpacked / 1024).toFixed(1)} KiB unpacked`);
    assert.ok(size <= VSIX_BUDGET_BYTES, `${size} bytes > ${VSIX_BUDGET_BYTES}`);
  });

  it('lists the same files with `vsce ls` as it packs, with no warning', () => {
    const listed = vsce(['ls', ...packageFlags().filter((flag) => flag === '--no-dependencies')]);
    assert.equal(listed.status, 0, listed.output);
    const lines = listed.output.split('\n').filter(Boolean);
    assert.deepEqual(
      lines.filter((line) => /\bwarn(ing)?\b/i.test(line)),
      [],
      listed.output,
    );
    // vsce renames README/CHANGELOG/LICENSE inside the package; compare case-insensitively without the extension.
    const key = (file: string) => file.toLowerCase().replace(/\.(md|txt)$/, '');
    const packedFiles = entries
      .filter((entry) => entry.name.startsWith('extension/'))
      .map((entry) => key(entry.name.slice('extension/'.length)))
      .sort();
    assert.deepEqual(lines.map(key).sort(), packedFiles);
  });

  it('ships a package.json whose %placeholders% all resolve in package.nls.json', () => {
    const zip = fs.readFileSync(vsix);
    const packagedManifest = readEntry(zip, entries, 'extension/package.json');
    const nlsText = readEntry(zip, entries, 'extension/package.nls.json');
    const nls = JSON.parse(nlsText) as Record<string, string>;
    const placeholders = [...packagedManifest.matchAll(/"%([^%"]+)%"/g)].map((match) => match[1]);
    assert.ok(placeholders.length > 0, 'no %placeholders% in the packaged package.json');
    const unresolved = placeholders.filter((key) => typeof nls[key] !== 'string');
    assert.deepEqual(unresolved, []);
    // The gallery reads the vsixmanifest, which vsce fills from package.nls.json.
    const gallery = readEntry(zip, entries, 'extension.vsixmanifest');
    const description = /<Description[^>]*>([^<]*)<\/Description>/.exec(gallery)?.[1];
    assert.equal(description, nls.description);
  });
});

/** One file of the zip, inflated (sizes from the central directory: local headers may defer them). */
function readEntry(zip: Buffer, entries: ZipEntry[], name: string): string {
  const entry = entries.find((candidate) => candidate.name === name);
  assert.ok(entry, `${name} is not in the package`);
  const offset = entry.localHeaderOffset;
  assert.equal(zip.readUInt32LE(offset), 0x04034b50, `bad local header for ${name}`);
  const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  return (entry.method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
}
