// A lint rule that refuses import circles among src/ and media/, type imports included.
// eslint-plugin-import-x's no-cycle skips `import type`, but a type circle still couples two
// modules both ways (and the project's import-circles check counts them), so this rule reads
// every relative import itself: the file being linted from its text in the editor, the others
// from disk (re-read when their modification time changes).
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const EXTENSIONS = ['.ts', '.tsx', '/index.ts'];
const cache = new Map();

function resolve(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const ext of EXTENSIONS) if (fs.existsSync(base + ext)) return base + ext;
  return fs.existsSync(base) && fs.statSync(base).isFile() && base.endsWith('.ts') ? base : undefined;
}

function importsOf(file, text) {
  const found = new Set();
  for (const match of text.matchAll(SPECIFIER)) {
    const target = resolve(file, match[1]);
    if (target) found.add(target);
  }
  return [...found];
}

function importsOnDisk(file) {
  const mtime = fs.statSync(file).mtimeMs;
  const known = cache.get(file);
  if (known && known.mtime === mtime) return known.imports;
  const imports = importsOf(file, fs.readFileSync(file, 'utf8'));
  cache.set(file, { mtime, imports });
  return imports;
}

/** The shortest path of imports from `start` back to `start`, or undefined when there is none. */
function circleThrough(start, firstImports, within) {
  const previous = new Map();
  const queue = [];
  for (const next of firstImports) {
    if (next === start) return [start, start];
    if (!previous.has(next) && within(next)) {
      previous.set(next, start);
      queue.push(next);
    }
  }
  while (queue.length > 0) {
    const file = queue.shift();
    for (const next of importsOnDisk(file)) {
      if (next === start) {
        const trail = [file];
        for (let at = file; previous.get(at) !== start; at = previous.get(at)) trail.unshift(previous.get(at));
        return [start, ...trail, start];
      }
      if (!previous.has(next) && within(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return undefined;
}

export const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import circles among the files under the given roots, type imports included.' },
    schema: [{ type: 'object', properties: { roots: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
    messages: { circle: 'Import circle: {{circle}}. Move what both sides need into a module both may import.' },
  },
  create(context) {
    const cwd = context.cwd ?? process.cwd();
    const roots = (context.options[0]?.roots ?? ['src', 'media']).map((root) => path.resolve(cwd, root) + path.sep);
    const within = (file) => roots.some((root) => file.startsWith(root)) && !file.includes(`${path.sep}node_modules${path.sep}`);
    const file = path.resolve(context.filename);
    return {
      'Program:exit'(node) {
        if (!within(file)) return;
        const circle = circleThrough(file, importsOf(file, context.sourceCode.text), within);
        if (circle) {
          const circleText = circle.map((step) => path.relative(cwd, step).split(path.sep).join('/')).join(' → ');
          context.report({ node, messageId: 'circle', data: { circle: circleText } });
        }
      },
    };
  },
};

export default { rules: { 'no-import-cycle': noImportCycle } };
