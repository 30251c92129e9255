/** Endpoints the Batch API accepts today as a request `url` (and as the batch `endpoint`): what Create offers. */
export const BATCH_ENDPOINTS = [
  '/v1/responses',
  '/v1/chat/completions',
  '/v1/embeddings',
  '/v1/completions',
  '/v1/moderations',
  '/v1/images/generations',
  '/v1/images/edits',
] as const;

/**
 * Endpoints the Batch API once accepted, with the day they were shut down. Old batches to them
 * still list and render; new input to them is warned about ({@link retiredEndpointNote}).
 */
export const RETIRED_ENDPOINTS: ReadonlyMap<string, string> = new Map([['/v1/videos', '2026-09-24']]);

/** Why a batch to `endpoint` would fail because the endpoint was shut down; undefined when it was not. */
export function retiredEndpointNote(endpoint: string): string | undefined {
  const day = RETIRED_ENDPOINTS.get(endpoint);
  return day ? `${endpoint} was retired on ${day}: a batch to it would fail.` : undefined;
}
