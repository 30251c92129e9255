/**
 * The agreement matrix of two runs whose answers are labels (classification: `positive`,
 * `spam`, `B`): how often A's label meets each of B's. Pure; no Node or `vscode`.
 */
import type { CompareTable, CompareSideRow } from './compareJoin';
import { type AgreementMatrix, MATRIX_MAX_LABELS, OTHER_LABEL } from './compareTypes';

/** An answer this long or shorter (trimmed) can be a label. */
export const LABEL_MAX_CHARS = 40;

/** More distinct labels than this and the answers are free text, not classes. */
const MAX_DISTINCT_LABELS = 50;

/**
 * The matrix over the rows both runs answered, when every such answer is short and the labels
 * repeat (at most {@link MAX_DISTINCT_LABELS} distinct, and fewer than half the rows); else
 * undefined. The {@link MATRIX_MAX_LABELS} most frequent labels (over both runs) get a row and a
 * column each; the rest are gathered under {@link OTHER_LABEL}.
 */
export function agreementMatrix(
  table: CompareTable,
  rowsA: readonly CompareSideRow[],
  rowsB: readonly CompareSideRow[],
): AgreementMatrix | undefined {
  const pairs: [string, string][] = [];
  const frequency = new Map<string, number>();
  for (let row = 0; row < table.length; row++) {
    const i = table.a[row];
    const j = table.b[row];
    if (i < 0 || j < 0) continue;
    const a = rowsA[i];
    const b = rowsB[j];
    if (a.outcome !== 'succeeded' || b.outcome !== 'succeeded') continue;
    const labelA = labelOf(a);
    const labelB = labelOf(b);
    if (labelA === undefined || labelB === undefined) return undefined;
    pairs.push([labelA, labelB]);
    frequency.set(labelA, (frequency.get(labelA) ?? 0) + 1);
    frequency.set(labelB, (frequency.get(labelB) ?? 0) + 1);
    if (frequency.size > MAX_DISTINCT_LABELS) return undefined;
  }
  if (pairs.length === 0 || frequency.size * 2 > pairs.length) return undefined;
  const ranked = [...frequency.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const labels = ranked.slice(0, MATRIX_MAX_LABELS).map(([label]) => label);
  if (ranked.length > MATRIX_MAX_LABELS) labels.push(OTHER_LABEL);
  const position = new Map(labels.map((label, index) => [label, index]));
  const other = labels.length - 1;
  const counts = labels.map(() => labels.map(() => 0));
  let agreeing = 0;
  for (const [labelA, labelB] of pairs) {
    counts[position.get(labelA) ?? other][position.get(labelB) ?? other]++;
    if (labelA === labelB) agreeing++;
  }
  return { labels, counts, total: pairs.length, agreeing };
}

/** A whole, short answer, trimmed; undefined for a cut or long one. */
function labelOf(row: CompareSideRow): string | undefined {
  if (row.answerCut) return undefined;
  const label = (row.answer ?? '').trim();
  return label.length <= LABEL_MAX_CHARS ? label : undefined;
}
