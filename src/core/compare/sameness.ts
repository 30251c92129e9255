/**
 * When two successful answers to one request count as the same, per endpoint: chat, completions
 * and responses by their text; embeddings by cosine similarity; moderations by the categories
 * flagged; images by how many came back. Pure; no Node or `vscode`.
 */
import { embeddingVector } from '../results/answers';
import { isRecord } from '../util/json';
import { EMBEDDING_SAME_THRESHOLD, type SamenessRule } from './compareTypes';

/** The rule for one endpoint (`/v1/embeddings`, `embeddings`, `null`…); text when unknown. */
function ruleOfEndpoint(endpoint: string | null | undefined): SamenessRule {
  const path = typeof endpoint === 'string' ? endpoint.toLowerCase() : '';
  if (path.includes('embeddings')) return 'embedding';
  if (path.includes('moderations')) return 'moderation';
  if (path.includes('images')) return 'images';
  return 'text';
}

/** The rule for two runs: their endpoint's, or text when they differ (each answer is compared as it reads). */
export function samenessRule(endpointA: string | null | undefined, endpointB: string | null | undefined): SamenessRule {
  const a = ruleOfEndpoint(endpointA ?? endpointB);
  const b = ruleOfEndpoint(endpointB ?? endpointA);
  return a === b ? a : 'text';
}

/** The sentence the summary shows for a rule. */
export function describeRule(rule: SamenessRule): string {
  switch (rule) {
    case 'text':
      return 'Same when the two answers have identical text (whitespace at either end ignored).';
    case 'embedding':
      return `Same when the embeddings' cosine similarity is at least ${EMBEDDING_SAME_THRESHOLD.toFixed(3)} (shown per row).`;
    case 'moderation':
      return 'Same when the same categories are flagged (or neither is flagged).';
    case 'images':
      return 'Same when the same number of images came back.';
  }
}

/** What a row keeps of an answer: the preview, and whether it was cut. */
export interface AnswerPreview {
  answer?: string;
  answerCut?: true;
}

/**
 * The verdict from the previews alone, for two successful results: `pending` when only the full
 * lines can tell (long answers whose previews agree; embeddings, whose vectors are not kept).
 */
export function judgePreviews(rule: SamenessRule, a: AnswerPreview, b: AnswerPreview): 'same' | 'different' | 'pending' {
  if (rule === 'embedding') return 'pending';
  const textA = (a.answer ?? '').trim();
  const textB = (b.answer ?? '').trim();
  if (a.answerCut || b.answerCut) {
    // A cut preview holds more than the other whole answer: they differ, unless both are cut alike.
    return a.answerCut && b.answerCut && textA === textB ? 'pending' : 'different';
  }
  return sameSummary(rule, textA, textB) ? 'same' : 'different';
}

/** Two answer summaries (as `answerSummary` writes them) compared by the rule. */
export function sameSummary(rule: SamenessRule, a: string, b: string): boolean {
  switch (rule) {
    case 'moderation':
      return flaggedCategories(a) === flaggedCategories(b);
    case 'images':
      return imageCount(a) === imageCount(b);
    default:
      return a.trim() === b.trim();
  }
}

/** `flagged: violence, harassment` → `harassment,violence`; `not flagged` → ``. */
function flaggedCategories(summary: string): string {
  if (/^not flagged/.test(summary)) return '';
  const colon = summary.indexOf(': ');
  const names = colon < 0 ? ['(flagged)'] : summary.slice(colon + 2).split(', ');
  return names
    .map((name) => name.trim())
    .sort()
    .join(',');
}

/** `2 images · 1024x1024` → 2. */
function imageCount(summary: string): number {
  const match = /^(\d+) images?\b/.exec(summary);
  return match ? Number(match[1]) : 0;
}

/**
 * The cosine similarity of two embeddings response bodies: of their vectors pairwise (a request
 * with several inputs has several), the lowest. NaN when either has none or their shapes differ.
 */
export function embeddingSimilarity(bodyA: unknown, bodyB: unknown): number {
  const a = vectorsOf(bodyA);
  const b = vectorsOf(bodyB);
  if (a.length === 0 || a.length !== b.length) return Number.NaN;
  let lowest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < a.length; i++) lowest = Math.min(lowest, cosine(a[i], b[i]));
  return lowest;
}

function vectorsOf(body: unknown): number[][] {
  const data = isRecord(body) && Array.isArray(body.data) ? body.data : [];
  const vectors: number[][] = [];
  for (const item of data) {
    const vector = isRecord(item) ? embeddingVector(item.embedding) : undefined;
    if (vector) vectors.push(vector);
  }
  return vectors;
}

/** Cosine similarity; NaN for vectors of different lengths or a zero vector. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return Number.NaN;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  const norms = Math.sqrt(normA) * Math.sqrt(normB);
  return norms === 0 ? Number.NaN : dot / norms;
}

/** The verdict of a similarity: NaN (nothing to compare) counts as different. */
export function similarityVerdict(similarity: number): 'same' | 'different' {
  return similarity >= EMBEDDING_SAME_THRESHOLD ? 'same' : 'different';
}
