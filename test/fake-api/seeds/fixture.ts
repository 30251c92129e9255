/**
 * The recorded fixture seed: one real page of OpenAI's batch list (fixtures/), as recorded, and
 * the field set every generated batch copies.
 */
import fixture from '../fixtures/openai-list-batches-page1.json';
import { KNOWN_STATUSES } from '../../../src/core/batches/batchFacts';
import type { Batch } from '../../../src/core/api/types';

export function fixtureBatches(): Batch[] {
  return structuredClone(fixture.data);
}

/** The fields of a batch in the recorded fixture, sorted. Generated batches have exactly these, plus `model`/`usage`. */
export function batchFieldSet(): string[] {
  return Object.keys(fixture.data[0]).sort();
}

export const OPTIONAL_BATCH_FIELDS = ['model', 'usage'] as const;

/** Sorted list of every known status, for tests that check coverage. */
export function allStatuses(): string[] {
  return [...KNOWN_STATUSES].sort();
}
