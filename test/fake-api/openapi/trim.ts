/**
 * Cuts the Batch and Files part out of OpenAI's OpenAPI description (github.com/openai/openai-openapi,
 * `openapi.json`): the `/batches…` and `/files…` paths and every schema they reference, plus
 * `ErrorResponse`, without the documentation-only `x-oaiMeta` blocks. Run it again to follow a
 * newer description:
 *
 *   npm run compile-tests
 *   node out/test/fake-api/openapi/trim.js path/to/openapi.json <commit> > test/fake-api/openapi/batch-files.openapi.json
 *   npx prettier --write test/fake-api/openapi/batch-files.openapi.json
 */
import * as fs from 'node:fs';

type Json = Record<string, unknown>;

const PATH_PREFIXES = ['/batches', '/files'];
/** Not referenced by the paths (errors are not described per operation), but what every error body is. */
const EXTRA_SCHEMAS = ['ErrorResponse'];
const SOURCE_REPOSITORY = 'https://github.com/openai/openai-openapi';

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy without `x-oaiMeta` (examples in several SDK languages, and documentation groups). */
function withoutMeta(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMeta);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'x-oaiMeta')
      .map(([key, item]) => [key, withoutMeta(item)]),
  );
}

function referencedSchemas(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) referencedSchemas(item, found);
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith('#/components/schemas/'))
        found.add(item.slice('#/components/schemas/'.length));
      else referencedSchemas(item, found);
    }
  }
}

export function trim(description: Json, commit: string): Json {
  const paths = description.paths as Json;
  const components = description.components as { schemas: Json };
  const keptPaths = Object.fromEntries(
    Object.entries(paths)
      .filter(([path]) => PATH_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`)))
      .map(([path, item]) => [path, withoutMeta(item)]),
  );
  const names = new Set<string>(EXTRA_SCHEMAS);
  referencedSchemas(keptPaths, names);
  // Close over references between schemas.
  for (let size = -1; size !== names.size;) {
    size = names.size;
    for (const name of [...names]) referencedSchemas(components.schemas[name], names);
  }
  const missing = [...names].filter((name) => !(name in components.schemas));
  if (missing.length > 0) throw new Error(`schemas referenced but not defined: ${missing.join(', ')}`);
  const info = description.info as Json;
  return {
    openapi: description.openapi,
    info: { title: `${String(info.title)}: Batch and Files (trimmed)`, version: info.version },
    'x-source': {
      repository: SOURCE_REPOSITORY,
      file: 'openapi.json',
      commit,
      trimmedBy: 'test/fake-api/openapi/trim.ts',
    },
    paths: keptPaths,
    components: { schemas: Object.fromEntries([...names].sort().map((name) => [name, withoutMeta(components.schemas[name])])) },
  };
}

if (require.main === module) {
  const [file, commit] = process.argv.slice(2);
  if (!file || !commit) {
    process.stderr.write('usage: node out/test/fake-api/openapi/trim.js <openapi.json> <commit>\n');
    process.exit(2);
  }
  const description = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  process.stdout.write(`${JSON.stringify(trim(description, commit), null, 2)}\n`);
}
