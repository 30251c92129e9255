import type { TokenCounters } from '../core/cost/tokenEstimate';

/**
 * The tokenizers, loaded on first use. In the packaged extension `./encodings` is a separate
 * file (esbuild.js marks it external and builds it as dist/tokenizer.js), so activation and
 * dist/extension.js do not carry the token tables.
 */
export async function loadTokenCounters(): Promise<TokenCounters> {
  const encodings = await import('./encodings');
  return { o200k_base: encodings.o200k_base, cl100k_base: encodings.cl100k_base };
}
