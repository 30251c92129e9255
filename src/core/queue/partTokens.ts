import { open } from 'node:fs/promises';
import { estimateInputTokens, type TokenCounters } from '../cost/tokenEstimate';

/** Bytes of a part file counted exactly; a larger part is estimated from its start, scaled up by size. */
export const PART_SAMPLE_BYTES = 8 * 1024 * 1024;

/** A part's estimated prompt tokens and the model most of them go to ('' when none is named). */
export interface PartTokens {
  tokens: number;
  model: string;
}

/** Counts a part file's prompt tokens (its first {@link PART_SAMPLE_BYTES}, scaled to its size). */
export async function estimatePartTokens(path: string, counters: TokenCounters): Promise<PartTokens> {
  const file = await open(path, 'r');
  let text: string;
  let size: number;
  try {
    size = (await file.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, PART_SAMPLE_BYTES));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    text = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
  const whole = text.length >= size;
  const sample = whole ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  const estimate = estimateInputTokens(sample.split('\n'), counters);
  const factor = whole || sample.length === 0 ? 1 : size / Buffer.byteLength(sample);
  let model = '';
  let most = -1;
  for (const [name, entry] of estimate.byModel)
    if (entry.tokens > most) {
      most = entry.tokens;
      model = name;
    }
  return { tokens: Math.ceil(estimate.tokens * factor), model };
}
