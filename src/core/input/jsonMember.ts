/**
 * Where a member sits in one JSON line: `['body', 'model']` finds the `"model": …` pair inside
 * the top-level `body` object, from its key to the end of its value. Only called for lines that
 * have a problem, so it may scan.
 */
export function locateMember(line: string, path: readonly string[]): { column: number; endColumn: number } | undefined {
  let objectStart = skipSpace(line, 0);
  let found: MemberSpan | undefined;
  for (let depth = 0; depth < path.length; depth++) {
    if (line[objectStart] !== '{') return undefined;
    found = findKey(line, objectStart, path[depth]);
    if (!found) return undefined;
    objectStart = found.valueStart;
  }
  return found && { column: found.column, endColumn: found.endColumn };
}

interface MemberSpan {
  column: number;
  endColumn: number;
  valueStart: number;
}

function findKey(line: string, objectStart: number, key: string): MemberSpan | undefined {
  let i = objectStart + 1;
  for (;;) {
    i = skipSpace(line, i);
    if (line[i] !== '"') return undefined;
    const keyStart = i;
    const keyEnd = skipString(line, i);
    if (keyEnd < 0) return undefined;
    let name: unknown;
    try {
      name = JSON.parse(line.slice(keyStart, keyEnd));
    } catch {
      return undefined;
    }
    i = skipSpace(line, keyEnd);
    if (line[i] !== ':') return undefined;
    const valueStart = skipSpace(line, i + 1);
    const valueEnd = skipValue(line, valueStart);
    if (valueEnd < 0) return undefined;
    if (name === key) return { column: keyStart, endColumn: valueEnd, valueStart };
    i = skipSpace(line, valueEnd);
    if (line[i] !== ',') return undefined;
    i++;
  }
}

function skipSpace(line: string, i: number): number {
  while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r')) i++;
  return i;
}

/** Index just past the string starting at `i` (a `"`), or -1. */
function skipString(line: string, i: number): number {
  for (let j = i + 1; j < line.length; j++) {
    const c = line[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1. */
function skipValue(line: string, i: number): number {
  const c = line[i];
  if (c === '"') return skipString(line, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < line.length; j++) {
      const d = line[j];
      if (d === '"') {
        j = skipString(line, j) - 1;
        if (j < 0) return -1;
      } else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < line.length && !/[\s,}\]]/.test(line[j])) j++;
  return j > i ? j : -1;
}
