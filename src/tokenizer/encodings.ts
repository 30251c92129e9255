/**
 * The tokenizers, in their own bundle (dist/tokenizer.js, ~3 MB of token tables): loaded by
 * `loadTokenCounters` only when the Create flow estimates a batch, never at activation.
 */
import { countTokens as countCl100k } from 'gpt-tokenizer/cjs/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/cjs/encoding/o200k_base';

export const o200k_base = (text: string): number => countO200k(text);
export const cl100k_base = (text: string): number => countCl100k(text);
