/**
 * Listing 10,000 files (issue 15: "the time to list 10,000 files"): the fake API holds 5,000 batch
 * input and 5,000 batch output files; the Files view's own FileStore lists all of them, both
 * purposes merged newest first, a page of 100 per request (as "Load more" and the bulk delete
 * page), and the client lists them in one request per purpose (`limit=10000`). Also timed: the
 * work the tree does per render for all of them (usage by 1,000 loaded batches, descriptions).
 *
 * `runFilesBench()` is exported for the unit test, which runs it at a tiny size. Standalone:
 * `node out/test/bench/filesBench.js [files]`.
 */
import { performance } from 'node:perf_hooks';
import { BatchStore } from '../../src/core/batches/batchStore';
import { BatchApiClient } from '../../src/core/api/client';
import { fileDescription, fileUsage } from '../../src/core/files/files';
import { FILE_PAGE_SIZE, FileStore } from '../../src/core/files/fileStore';
import type { Batch } from '../../src/core/api/types';
import { startFakeApi } from '../fake-api/server';

export interface FilesBenchOptions {
  /** Files in all, half of each purpose. Default 10,000. */
  files?: number;
  /** Loaded batches using some of them. Default 1,000. */
  batches?: number;
  /** Timed runs; the median is reported. Default 3. */
  runs?: number;
}

export interface FilesBenchFigures {
  files: number;
  /** FileStore: first pages of both purposes, then "load more" until the end, 100 a page (ms). */
  files_list_paged_ms: number;
  files_list_paged_requests: number;
  /** The client, `limit=10000`: one request per purpose (ms). */
  files_list_one_request_ms: number;
  /** Which batches use each file, and every file's description: one render's work (ms). */
  files_describe_ms: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function runFilesBench(options: FilesBenchOptions = {}): Promise<FilesBenchFigures> {
  const count = options.files ?? 10_000;
  const batchCount = options.batches ?? 1_000;
  const runs = options.runs ?? 3;
  const fake = await startFakeApi({ seed: 'empty' });
  try {
    const now = fake.clock.now();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const purpose = i % 2 === 0 ? 'batch' : 'batch_output';
      ids.push(
        fake.store.addFile({ filename: `file-${i}.jsonl`, purpose, content: '{}\n', createdAt: now - i * 30, expiresAt: now + 30 * 86_400 })
          .id,
      );
    }
    const batches: Batch[] = Array.from({ length: batchCount }, (_, i) => ({
      id: `batch_${i}`,
      status: i % 10 === 0 ? 'in_progress' : 'completed',
      created_at: now - i * 60,
      input_file_id: ids[(i * 2) % count],
      output_file_id: ids[(i * 2 + 1) % count],
    }));
    const client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retry: { maxRetries: 0 } });

    const paged: number[] = [];
    let pagedRequests = 0;
    for (let run = 0; run < runs; run++) {
      const store = new BatchStore(() => 20);
      store.setConnection({ kind: 'ready', client, account: `bench-${run}` });
      const files = new FileStore(store, () => FILE_PAGE_SIZE);
      fake.clearRequests();
      const started = performance.now();
      await files.refresh();
      while (files.hasMore) {
        await files.loadMore();
        if (files.loadMoreError) throw files.loadMoreError;
      }
      paged.push(performance.now() - started);
      pagedRequests = fake.count('GET', '/v1/files');
      if (files.files.length !== count) throw new Error(`listed ${files.files.length} of ${count} files`);
      files.dispose();
      store.dispose();
    }

    const whole: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const lists = await Promise.all(
        ['batch', 'batch_output'].map((purpose) => client.listFiles({ purpose, order: 'desc', limit: 10_000 })),
      );
      whole.push(performance.now() - started);
      const listed = lists.reduce((sum, list) => sum + list.data.length, 0);
      if (listed !== count) throw new Error(`listed ${listed} of ${count} files in one request per purpose`);
    }

    const all = (await client.listFiles({ order: 'desc', limit: 10_000 })).data;
    const describe: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const usage = fileUsage(batches);
      let length = 0;
      for (const file of all) length += fileDescription(file, usage.get(file.id), now * 1000).length;
      describe.push(performance.now() - started);
      if (length === 0) throw new Error('no descriptions');
    }

    return {
      files: count,
      files_list_paged_ms: Math.round(median(paged)),
      files_list_paged_requests: pagedRequests,
      files_list_one_request_ms: Math.round(median(whole)),
      files_describe_ms: Math.round(median(describe) * 10) / 10,
    };
  } finally {
    await fake.close();
  }
}

if (require.main === module) {
  const files = Number(process.argv[2] ?? 10_000);
  runFilesBench({ files }).then(
    (figures) => console.log(JSON.stringify(figures, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
