/**
 * A word-level diff of two answers for the expanded row: the longest common subsequence of
 * their words (whitespace kept as tokens, so the parts put back together give each text).
 * Written here rather than taken from a package: it is 80 lines, and the one thing the view
 * needs. Pure; no Node or `vscode`.
 */

export interface DiffPart {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

/**
 * The most cells of the LCS table computed (2 bytes each: 8 MB). Beyond it, the differing
 * middle (after the common start and end) is shown as removed, then added.
 */
export const MAX_DIFF_CELLS = 4_000_000;

function tokens(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}

/**
 * The parts of `before` → `after`: `same` in both, `removed` from `before` only, `added` in
 * `after` only; neighbours of one kind are merged. The `same` and `removed` parts spell
 * `before`; the `same` and `added` parts spell `after`.
 */
export function wordDiff(before: string, after: string): DiffPart[] {
  const a = tokens(before);
  const b = tokens(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const parts: DiffPart[] = [];
  const add = (kind: DiffPart['kind'], text: string): void => {
    const last = parts[parts.length - 1];
    if (last?.kind === kind) last.text += text;
    else if (text) parts.push({ kind, text });
  };
  add('same', a.slice(0, start).join(''));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  if ((n + 1) * (m + 1) > MAX_DIFF_CELLS || Math.min(n, m) > 0xffff) {
    add('removed', midA.join(''));
    add('added', midB.join(''));
  } else {
    // lcs[i * (m + 1) + j]: LCS length of midA[i..] and midB[j..].
    const width = m + 1;
    const lcs = new Uint16Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] =
          midA[i] === midB[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (midA[i] === midB[j]) {
        add('same', midA[i]);
        i++;
        j++;
      } else if (lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
        add('removed', midA[i++]);
      } else {
        add('added', midB[j++]);
      }
    }
    while (i < n) add('removed', midA[i++]);
    while (j < m) add('added', midB[j++]);
  }
  add('same', a.slice(endA).join(''));
  return parts;
}
