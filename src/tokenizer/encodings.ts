/**
 * The tokenizers, in their own bundle (dist/tokenizer.js, the token tables): loaded by
 * `loadTokenCounters` only when the Create flow estimates a batch, never at activation.
 * `import = require` so that bundling picks gpt-tokenizer's CommonJS build.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's CommonJS build (see above)
import cl100k = require('gpt-tokenizer/cjs/encoding/cl100k_base');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's CommonJS build (see above)
import o200k = require('gpt-tokenizer/cjs/encoding/o200k_base');

export const o200k_base = (text: string): number => o200k.countTokens(text);
export const cl100k_base = (text: string): number => cl100k.countTokens(text);
