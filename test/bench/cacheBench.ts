import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BatchApiClient } from '../../src/core/api/client';
import { accountId, BatchCache } from '../../src/core/batches/batchCache';
import { BatchStore } from '../../src/core/batches/batchStore';
import { isActive } from '../../src/core/batches/grouping';
import { DEMO_NOW, generateBatches } from '../fake-api/data';
import { startFakeApi } from '../fake-api/server';
import { gc, median, round } from './benchCommon';
import { buildTreeModels } from './treeBench';

// Startup from the cache, and incremental refresh

export interface CacheFigures {
  firstPaintRequests: number;
  refreshRequests: number;
  activeBeyondFirstPage: number;
  cacheLoadMs: number;
  cacheFileKiB: number;
}

/**
 * What the extension does at startup and on refresh, with the real core objects over loopback:
 * paint from a warm cache (BatchCache.load → BatchStore.setConnection → node models), then one
 * incremental refresh of 1,000 loaded batches after new ones arrived on the server.
 */
export async function benchCache(tmpRoot: string, runs: number): Promise<CacheFigures> {
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'oabe-bench-cache-'));
  const fake = await startFakeApi({ seed: { generated: 1000 } });
  try {
    // Long-running jobs deep in the list: each is one GET in an incremental refresh.
    fake.store.list().forEach((batch, i) => {
      if (i >= 100 && i % 97 === 0) fake.store.put({ ...batch, status: 'in_progress', completed_at: null });
    });
    const client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retry: { maxRetries: 0 } });
    const store = new BatchStore(() => 100);
    store.setConnection({ kind: 'ready', client });
    await store.refresh();
    while (store.hasMore) await store.loadMore();
    const firstPage = new Set(store.batches.slice(0, 100).map((batch) => batch.id));
    const activeBeyondFirstPage = store.batches.filter((batch) => isActive(batch) && !firstPage.has(batch.id)).length;

    // Warm start: the cache written by the previous session, painted before any request.
    const cache = new BatchCache(dir);
    const account = accountId({ baseUrl: fake.baseUrl, apiKey: fake.apiKey });
    await cache.save(account, store.snapshot(), 5000);
    fake.clearRequests();
    const cached = await cache.load(account);
    const restarted = new BatchStore(() => 100);
    restarted.setConnection({ kind: 'ready', client }, cached);
    buildTreeModels(restarted.batches);
    const firstPaintRequests = fake.requests.length;

    // Two batches arrive on the server, then the refresh.
    const newestAt = fake.store.list()[0]?.created_at ?? DEMO_NOW;
    for (const [i, batch] of generateBatches(2, { seed: 7, now: newestAt + 1000 }).entries())
      fake.store.put({ ...batch, created_at: newestAt + 10 + i });
    fake.clearRequests();
    await restarted.refresh();
    const refreshRequests = fake.requests.length;
    store.dispose();
    restarted.dispose();

    // A 5,000-batch cache file, read back.
    const big = new BatchCache(dir);
    const bigAccount = 'bench5000';
    await big.save(bigAccount, { items: generateBatches(5000), hasMore: true }, 5000);
    const cacheFileKiB = round(fs.statSync(big.fileFor(bigAccount)).size / 1024);
    const cacheLoadMs = median(
      await (async () => {
        const times: number[] = [];
        for (let i = 0; i < runs + 2; i++) {
          gc();
          const started = performance.now();
          const loaded = await big.load(bigAccount);
          times.push(performance.now() - started);
          if (loaded?.snapshot.items.length !== 5000) throw new Error('cache round trip lost batches');
        }
        return times.slice(2);
      })(),
    );
    return { firstPaintRequests, refreshRequests, activeBeyondFirstPage, cacheLoadMs, cacheFileKiB };
  } finally {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
