import { type ChainMember, findChain, unknownLinks } from '../../core/batches/batchChains';
import { fileIdOf } from '../../core/batches/batchFacts';
import type { BatchApiClient } from '../../core/api/client';
import { isCancellation } from '../../core/api/errors';
import type { Batch } from '../../core/api/types';

/** How many missing originals are fetched to complete a chain: resubmissions of resubmissions are rare. */
const MAX_FETCHED = 20;

function hasResults(batch: Batch): boolean {
  return fileIdOf(batch, 'output') !== undefined || fileIdOf(batch, 'error') !== undefined;
}

/**
 * The batches of `batch`'s chain that have results (output or error files), in attempt order:
 * the loaded batches, plus originals named by `resubmit_of` that are not loaded, fetched by id.
 * One member (or none) means the batch stands alone.
 */
export async function chainWithResults(
  batch: Batch,
  loaded: readonly Batch[],
  client: BatchApiClient,
  signal: AbortSignal,
): Promise<ChainMember[]> {
  const known = new Map(loaded.map((b) => [b.id, b]));
  known.set(batch.id, batch);
  let chain = findChain(batch, known.values());
  for (let fetched = 0; fetched < MAX_FETCHED;) {
    const missing = unknownLinks(chain).filter((id) => !known.has(id));
    if (missing.length === 0) break;
    for (const id of missing) {
      fetched++;
      try {
        known.set(id, await client.getBatch(id, { signal }));
      } catch (error) {
        if (isCancellation(error)) throw error;
        // Deleted or not this account's: the chain is combined without it.
        known.set(id, { id, status: 'unknown' });
      }
    }
    chain = findChain(batch, known.values());
  }
  return chain.filter((member) => hasResults(member.batch));
}
