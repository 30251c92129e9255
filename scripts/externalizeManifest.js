// Moves the user-visible strings of package.json (command titles, view names, setting
// descriptions, walkthrough text, …) into package.nls.json and leaves `%key%` placeholders, so
// VS Code shows package.nls.<locale>.json's translation where one exists.
//
//   node scripts/externalizeManifest.js          rewrite package.json and package.nls.json
//   node scripts/externalizeManifest.js --check  exit 1 if that would change anything
//
// Idempotent: placeholders already in place are kept, a literal that replaced one (an edit after
// a merge) updates the English text under the same key, and keys nothing uses any more are
// dropped from package.nls.json and from every translation. Keys come from where the string is
// (`command.refresh.title`, `config.pageSize.markdownDescription`…), so they stay stable.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const PREFIX = 'openaiBatches.';

/** Fields whose string values people read. `name` counts only inside `views`. */
const TEXT_FIELDS = new Set([
  'title',
  'shortTitle',
  'category',
  'contextualTitle',
  'contents',
  'description',
  'markdownDescription',
  'deprecationMessage',
  'markdownDeprecationMessage',
  'label',
  'displayName',
  'userDescription',
  'altText',
]);
/** Arrays of strings that people read, keyed by the matching `enum` value where there is one. */
const TEXT_ARRAYS = new Set(['enumDescriptions', 'markdownEnumDescriptions']);
/** Shorter key roots for the contribution points. */
const ROOT_NAMES = {
  commands: 'command',
  views: 'view',
  viewsContainers: 'viewContainer',
  viewsWelcome: 'viewWelcome',
  configuration: 'config',
  walkthroughs: 'walkthrough',
  languageModelTools: 'tool',
  submenus: 'submenu',
};
/** Left in English: what other extensions' models read, and what is code, not prose. */
const SKIP_FIELDS = new Set([
  'modelDescription',
  'inputSchema',
  'default',
  'examples',
  'enum',
  'const',
  'pattern',
  'when',
  'command',
  'icon',
  'id',
  'completionEvents',
]);

function slug(segment) {
  return String(segment).startsWith(PREFIX) ? String(segment).slice(PREFIX.length) : String(segment);
}

/** The name an array item goes by in keys: its id, command or view, else its index. */
function itemName(item, index, seen) {
  const raw = item && typeof item === 'object' ? (item.id ?? item.command ?? item.view) : undefined;
  let name = typeof raw === 'string' ? slug(raw) : String(index);
  if (seen.has(name)) name = `${name}.${index}`;
  seen.add(name);
  return name;
}

function externalize(manifest, nls) {
  const used = new Set();
  const placeholder = /^%([^%]+)%$/;

  function take(key, value) {
    const match = placeholder.exec(value);
    if (match) {
      used.add(match[1]);
      return value;
    }
    nls[key] = value;
    used.add(key);
    return `%${key}%`;
  }

  /** `category` repeats on every command: one key per distinct text. */
  function sharedKey(base, value) {
    for (const [key, text] of Object.entries(nls)) {
      if ((key === base || key.startsWith(`${base}.`)) && text === value) return key;
    }
    if (!(base in nls)) return base;
    for (let n = 2; ; n++) if (!(`${base}.${n}` in nls)) return `${base}.${n}`;
  }

  function walk(node, segments, inViews) {
    if (Array.isArray(node)) {
      const seen = new Set();
      node.forEach((item, index) => walk(item, [...segments, itemName(item, index, seen)], inViews));
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [field, value] of Object.entries(node)) {
      if (SKIP_FIELDS.has(field)) continue;
      const isText = TEXT_FIELDS.has(field) || (field === 'name' && inViews);
      if (isText && typeof value === 'string') {
        const key = field === 'category' && segments[0] === 'command' ? null : [...segments, field].join('.');
        node[field] = take(key ?? sharedKey('command.category', value), value);
      } else if (TEXT_ARRAYS.has(field) && Array.isArray(value)) {
        node[field] = value.map((text, index) => {
          if (typeof text !== 'string') return text;
          const name = Array.isArray(node.enum) && node.enum[index] !== undefined ? String(node.enum[index]) : String(index);
          return take([...segments, field, name].join('.'), text);
        });
      } else if (value && typeof value === 'object') {
        // configuration.properties.openaiBatches.x → config.x
        const next = segments[0] === 'config' && field === 'properties' && segments.length === 1 ? segments : [...segments, slug(field)];
        walk(value, next, inViews || (segments.length === 0 && field === 'views'));
      }
    }
  }

  // The product name stays a name; the one-line description is prose.
  if (typeof manifest.description === 'string') manifest.description = take('description', manifest.description);
  const trust = manifest.capabilities ?? {};
  for (const kind of ['untrustedWorkspaces', 'virtualWorkspaces']) {
    if (typeof trust[kind]?.description === 'string') {
      trust[kind].description = take(`capabilities.${kind}.description`, trust[kind].description);
    }
  }
  for (const [point, value] of Object.entries(manifest.contributes ?? {})) {
    const rootName = ROOT_NAMES[point] ?? point;
    // views and viewsContainers are grouped by container: the container name adds nothing to a key.
    const grouped = (point === 'views' || point === 'viewsContainers') && value && typeof value === 'object' && !Array.isArray(value);
    if (grouped) {
      for (const items of Object.values(value)) walk(items, [rootName], point === 'views');
    } else {
      walk(value, [rootName], false);
    }
  }
  return used;
}

function readJson(file, fallback) {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : fallback;
}

function serialize(value) {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function sortedObject(object) {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}

/** Returns the files this run would write, with their new text. */
function plan() {
  const manifestFile = path.join(root, 'package.json');
  const nlsFile = path.join(root, 'package.nls.json');
  const manifest = readJson(manifestFile);
  const nls = readJson(nlsFile, {});
  const used = externalize(manifest, nls);
  const missing = [...used].filter((key) => typeof nls[key] !== 'string');
  if (missing.length) throw new Error(`placeholders with no text in package.nls.json: ${missing.join(', ')}`);
  const writes = new Map();
  writes.set(manifestFile, serialize(manifest));
  const kept = Object.fromEntries(Object.entries(nls).filter(([key]) => used.has(key)));
  writes.set(nlsFile, serialize(sortedObject(kept)));
  for (const file of fs.readdirSync(root).filter((name) => /^package\.nls\.[\w-]+\.json$/.test(name))) {
    const translation = readJson(path.join(root, file));
    const stale = Object.keys(translation).filter((key) => !used.has(key));
    for (const key of stale) delete translation[key];
    if (stale.length) console.log(`${file}: dropped ${stale.length} key(s) nothing uses: ${stale.join(', ')}`);
    writes.set(path.join(root, file), serialize(sortedObject(translation)));
  }
  return writes;
}

function main() {
  const check = process.argv.includes('--check');
  const changed = [...plan()].filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text);
  if (check) {
    if (changed.length) {
      console.error(`Not externalized: ${changed.map(([file]) => path.relative(root, file)).join(', ')}. Run \`npm run nls\`.`);
      process.exit(1);
    }
    return;
  }
  for (const [file, text] of changed) fs.writeFileSync(file, text);
  console.log(changed.length ? `updated ${changed.map(([file]) => path.relative(root, file)).join(', ')}` : 'up to date');
}

if (require.main === module) main();
module.exports = { plan };
