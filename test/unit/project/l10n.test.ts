import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { l10n?: string; scripts: Record<string, string> };

function readJson(file: string): Record<string, string> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
}

/** `{0}`-style arguments and `command:`/`https:` link targets: a translation must keep exactly these. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\d+\}|\]\((?:command|https?):[^)]*\)|\$\([\w~-]+\)|`[^`]*`/g)].map((match) => match[0]).sort();
}

function checkTranslations(base: Record<string, string>, translated: Record<string, string>, file: string): void {
  const unknown = Object.keys(translated).filter((key) => !(key in base));
  assert.deepEqual(unknown, [], `${file} translates keys the English file does not have`);
  for (const [key, text] of Object.entries(translated)) {
    assert.ok(text.trim(), `${file}: "${key}" is empty`);
    assert.deepEqual(placeholders(text), placeholders(base[key]), `${file}: "${key}" lost or changed an argument, link or code span`);
  }
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(file);
    else if (entry.name.endsWith('.ts')) yield file;
  }
}

describe('localisation', function () {
  this.timeout(60_000);
  const l10nDir = path.join(root, manifest.l10n ?? './l10n');

  it('package.json names its l10n folder and every user-visible manifest string is a %placeholder% (npm run nls)', () => {
    assert.equal(manifest.l10n, './l10n');
    const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'externalizeManifest.js'), '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  });

  it('l10n/bundle.l10n.json is what @vscode/l10n-dev exports from src/ now (npm run l10n)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'l10n-export-'));
    try {
      const script = manifest.scripts.l10n;
      assert.match(script, /^vscode-l10n-dev export --outDir \.\/l10n \.\/src$/);
      const bin = path.join(path.dirname(require.resolve('@vscode/l10n-dev/package.json')), 'dist', 'cli.js');
      const run = spawnSync(process.execPath, [bin, 'export', '--outDir', out, './src'], { cwd: root, encoding: 'utf8' });
      assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
      const fresh = readJson(path.join(out, 'bundle.l10n.json'));
      const committed = readJson(path.join(l10nDir, 'bundle.l10n.json'));
      assert.deepEqual(committed, fresh, 'l10n/bundle.l10n.json is stale: run `npm run l10n` and commit it');
      assert.ok(Object.keys(fresh).length >= 20, `only ${Object.keys(fresh).length} runtime strings exported`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('calls vscode.l10n.t with a literal message only (the export cannot read anything else)', () => {
    const offending: string[] = [];
    for (const file of sourceFiles(path.join(root, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/l10n\.t\(\s*([^'"\s])/g)) {
        offending.push(`${path.relative(root, file)}: l10n.t(${match[1]}…`);
      }
    }
    assert.deepEqual(offending, []);
  });

  it('translations keep every key, argument, link and code span of the English text', () => {
    const bundles = fs.readdirSync(l10nDir).filter((file) => /^bundle\.l10n\.[\w-]+\.json$/.test(file));
    const nlsFiles = fs.readdirSync(root).filter((file) => /^package\.nls\.[\w-]+\.json$/.test(file));
    assert.ok(bundles.includes('bundle.l10n.de.json') && nlsFiles.includes('package.nls.de.json'), 'the German translation is missing');
    const runtime = readJson(path.join(l10nDir, 'bundle.l10n.json'));
    for (const file of bundles) checkTranslations(runtime, readJson(path.join(l10nDir, file)), file);
    const contributions = readJson(path.join(root, 'package.nls.json'));
    for (const file of nlsFiles) checkTranslations(contributions, readJson(path.join(root, file)), file);
  });
});
