/**
 * Seed data and file contents for the fake Batch API: the public entry that tests and the bench
 * import. The data itself lives in seeds/, one file per scenario or concern:
 * - random.ts: deterministic randomness and API-shaped ids;
 * - batchShape.ts: building batches whose timestamps, counts and files fit their status;
 * - fixture.ts, generated.ts, demo.ts: the three seeds (`fixture`, `generated:N`, `demo`);
 * - fileLines.ts: input, output and error lines, and generated output of an exact size.
 *
 * Everything is deterministic: the same seed gives the same batches and the same bytes, so
 * tests, screenshots and benchmarks are reproducible. Generated batches follow the shape of the
 * recorded fixture exactly (same fields, same order, nulls where the API sends nulls), plus
 * `model`/`usage` on batches newer than MODEL_FIELDS_SINCE, as the API sends them today.
 */
export {
  BATCH_ENDPOINTS,
  type BatchShape,
  buildBatch,
  DAY,
  DEMO_NOW,
  defaultModel,
  MODEL_FIELDS_SINCE,
  newBatchRecord,
  TERMINAL_STATUSES,
  zeroUsage,
} from './seeds/batchShape';
export { demoBatches } from './seeds/demo';
export {
  errorLine,
  expiredLine,
  FLAKY_MODEL,
  generatedOutputChunks,
  inputLine,
  MISSING_MODEL_FAILURE,
  outputLine,
  TRANSIENT_FAILURE,
} from './seeds/fileLines';
export { allStatuses, batchFieldSet, fixtureBatches, OPTIONAL_BATCH_FIELDS } from './seeds/fixture';
export { generateBatches } from './seeds/generated';
export { batchIdFor, compareNewestFirst, fileIdFor, hashString, mulberry32, randomBase62, randomHex, type Rng } from './seeds/random';
