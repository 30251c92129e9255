/**
 * Comparing and serialising JSON from a server that may nest it arbitrarily deep. `JSON.parse`
 * reads any depth, but `JSON.stringify` and recursive walks overflow the stack at a few
 * thousand levels, so nothing here recurses.
 */

/**
 * Deepest nesting written to the cache, the webviews or an export. Real batches and results
 * nest a few levels (model output with a JSON schema, a few dozen); `JSON.stringify` fails near
 * 4,000 levels on Node's default stack, so this leaves a wide margin on both sides.
 */
export const MAX_JSON_DEPTH = 256;

/** What replaces a value nested deeper than the limit. */
export const TOO_DEEP = '[nested too deep]';

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/** Whether two JSON values are equal (object key order aside), at any depth. */
export function sameJson(a: unknown, b: unknown): boolean {
  const pending: [unknown, unknown][] = [[a, b]];
  for (let pair = pending.pop(); pair; pair = pending.pop()) {
    const [x, y] = pair;
    if (Object.is(x, y)) continue;
    if (!isContainer(x) || !isContainer(y) || Array.isArray(x) !== Array.isArray(y)) return false;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const key of keys) {
      if (!Object.prototype.hasOwnProperty.call(y, key)) return false;
      pending.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]]);
    }
  }
  return true;
}

/** Whether `value` nests containers deeper than `maxDepth` (a bare object or array is depth 1). */
function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let entry = pending.pop(); entry; entry = pending.pop()) {
    const [current, depth] = entry;
    if (!isContainer(current)) continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(current)) if (isContainer(child)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * `value` itself when it nests at most `maxDepth` deep; else a copy in which every container
 * below that depth is replaced by {@link TOO_DEEP}, so it can be serialised.
 */
export function limitDepth<T>(value: T, maxDepth = MAX_JSON_DEPTH): T {
  if (!nestsDeeperThan(value, maxDepth)) return value;
  const copyOf = (source: Container): Container => (Array.isArray(source) ? [] : {});
  const root = copyOf(value as Container);
  const pending: [Container, Container, number][] = [[value as Container, root, 1]];
  for (let entry = pending.pop(); entry; entry = pending.pop()) {
    const [source, target, depth] = entry;
    for (const [key, child] of Object.entries(source)) {
      if (!isContainer(child)) {
        (target as Record<string, unknown>)[key] = child;
      } else if (depth >= maxDepth) {
        (target as Record<string, unknown>)[key] = TOO_DEEP;
      } else {
        const copy = copyOf(child);
        (target as Record<string, unknown>)[key] = copy;
        pending.push([child, copy, depth + 1]);
      }
    }
  }
  return root as T;
}
