/**
 * The control plane: how tests seed and inspect the fake besides HTTP. There are no test-only
 * endpoints; tests hold the FakeApi object, whose clock (advancing it runs the lifecycle), store
 * (list, get, put, remove, reset to a seed, add a file) and request counts are built here over
 * one account's state. Faults are added through FakeApi too (faults.ts).
 */
import type { Batch } from '../../src/core/api/types';
import { addFile } from './files';
import { matchPath } from './http';
import { advance } from './lifecycle';
import type { AccountState } from './state';
import type { FakeApi, FakeApiOptions, FileSpec, LoggedRequest } from './types';

export function clockControl(state: AccountState): FakeApi['clock'] {
  return {
    now: () => state.nowSeconds,
    advance: (seconds: number) => advance(state, seconds),
  };
}

/** Copies in and out, so a test never holds the fake's own objects. */
export function storeControl(state: AccountState): FakeApi['store'] {
  return {
    list: () => state.sorted().list.map((b) => structuredClone(b)),
    get: (id: string) => {
      const batch = state.batches.get(id);
      return batch && structuredClone(batch);
    },
    put: (batch: Batch) => state.put(batch),
    remove: (id: string) => state.remove(id),
    reset: (seed: FakeApiOptions['seed']) => state.reset(seed),
    addFile: (spec: FileSpec) => structuredClone(addFile(state, spec).object),
  };
}

/** Logged requests with this method ('*' for any) whose path equals the string or matches the RegExp. */
export function countRequests(requests: readonly LoggedRequest[], method: string, pathPattern: string | RegExp): number {
  const wanted = method.toUpperCase();
  return requests.filter((r) => (wanted === '*' || r.method === wanted) && matchPath(pathPattern, r.path)).length;
}
