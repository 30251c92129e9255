import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { BatchApiClient } from '../../src/core/api/client';
import { Pager } from '../../src/core/api/pager';
import type { Batch, BatchList } from '../../src/core/api/types';
import { listPage } from '../../src/core/api/page';
import { BenchOptions, gc, median } from './benchCommon';
import { FakeApiChild } from './fakeApiChild';

// List all batches

/**
 * Lists every batch and resolves how many. Every lister keeps what it lists until it is done, as
 * the extension's Pager does (the tree shows them): holding 10,000 parsed batches costs the
 * garbage collector about as much as a fifth of a listing, and a client that drops each page
 * would not pay it.
 */
export type Lister = () => Promise<number>;

/** Our core, as the extension uses it: a Pager over BatchApiClient.listBatches, loaded until !hasMore. */
export function oursLister(baseUrl: string, apiKey: string, pageSize: number): Lister {
  return async () => {
    const client = new BatchApiClient({ baseUrl, apiKey, retry: { maxRetries: 0 } });
    const pager = new Pager<Batch>(async (cursor, signal) => {
      const page = await client.listBatches({ limit: pageSize, after: cursor }, { signal });
      return listPage(page.data, page.has_more, pageSize);
    });
    do await pager.loadMore();
    while (pager.hasMore);
    if (pager.endNote) throw new Error(`our pager stopped early: ${pager.endNote}`);
    return pager.items.length;
  };
}

/** The official SDK's auto-pagination. */
export function sdkLister(baseUrl: string, apiKey: string, pageSize: number): Lister {
  return async () => {
    const client = new OpenAI({ apiKey, baseURL: baseUrl, maxRetries: 0 });
    const batches: OpenAI.Batch[] = [];
    for await (const batch of client.batches.list({ limit: pageSize })) batches.push(batch);
    return batches.length;
  };
}

/** Plain node:http with keep-alive and JSON.parse: the least any client can do. Optionally keeps the page texts. */
export function nodeHttpLister(baseUrl: string, apiKey: string, pageSize: number, pages?: string[]): Lister {
  const agent = new http.Agent({ keepAlive: true });
  const get = (url: string): Promise<string> =>
    new Promise((resolve, reject) => {
      http
        .get(url, { agent, headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            response.statusCode === 200
              ? resolve(Buffer.concat(chunks).toString('utf8'))
              : reject(new Error(`HTTP ${response.statusCode}`)),
          );
          response.on('error', reject);
        })
        .on('error', reject);
    });
  return async () => {
    let after: string | undefined;
    const batches: Batch[] = [];
    for (;;) {
      const text = await get(`${baseUrl}/batches?limit=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      pages?.push(text);
      const page = JSON.parse(text) as BatchList;
      batches.push(...page.data);
      if (!page.has_more || page.data.length === 0) return batches.length;
      after = page.data[page.data.length - 1].id;
    }
  };
}

/** Node's built-in fetch (undici) + JSON.parse: what client.ts would cost without axios (no bundle bytes). */
export function fetchLister(baseUrl: string, apiKey: string, pageSize: number): Lister {
  return async () => {
    let after: string | undefined;
    const batches: Batch[] = [];
    for (;;) {
      const response = await fetch(`${baseUrl}/batches?limit=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`, {
        headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' },
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      const page = JSON.parse(text) as BatchList;
      batches.push(...page.data);
      if (!page.has_more || page.data.length === 0) return batches.length;
      after = page.data[page.data.length - 1].id;
    }
  };
}

export interface ListFigures {
  ours: number[];
  sdk: number[];
  nodeHttp: number[];
  fetch: number[];
  /** CPU ms of this process per run, by contender. */
  cpu: { ours: number[]; sdk: number[]; nodeHttp: number[]; fetch: number[] };
  oursRequests: number[];
  sdkRequests: number[];
  jsonParseMs: number;
  pagerMs: number;
}

export async function benchList(
  fake: FakeApiChild,
  opts: Required<Pick<BenchOptions, 'batches' | 'rounds' | 'warmups' | 'pageSize'>>,
  log: (line: string) => void,
): Promise<ListFigures> {
  const contenders: { name: 'ours' | 'sdk' | 'nodeHttp' | 'fetch'; run: Lister }[] = [
    { name: 'ours', run: oursLister(fake.baseUrl, fake.apiKey, opts.pageSize) },
    { name: 'sdk', run: sdkLister(fake.baseUrl, fake.apiKey, opts.pageSize) },
    { name: 'nodeHttp', run: nodeHttpLister(fake.baseUrl, fake.apiKey, opts.pageSize) },
    { name: 'fetch', run: fetchLister(fake.baseUrl, fake.apiKey, opts.pageSize) },
  ];
  const figures: ListFigures = {
    ours: [],
    sdk: [],
    nodeHttp: [],
    fetch: [],
    cpu: { ours: [], sdk: [], nodeHttp: [], fetch: [] },
    oursRequests: [],
    sdkRequests: [],
    jsonParseMs: 0,
    pagerMs: 0,
  };
  const once = async (contender: (typeof contenders)[number], measured: boolean): Promise<void> => {
    await fake.clearRequests();
    gc();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const count = await contender.run();
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const requests = await fake.count('GET', '/v1/batches');
    if (count !== opts.batches) throw new Error(`${contender.name} listed ${count} batches, expected ${opts.batches}`);
    if (!measured) return;
    figures[contender.name].push(ms);
    figures.cpu[contender.name].push((cpu.user + cpu.system) / 1000);
    if (contender.name === 'ours') figures.oursRequests.push(requests);
    if (contender.name === 'sdk') figures.sdkRequests.push(requests);
  };
  for (let w = 0; w < opts.warmups; w++) for (const contender of contenders) await once(contender, false);
  for (let round = 0; round < opts.rounds; round++) {
    // Ours and the SDK run back to back (so each pair shares the machine's momentary load), and
    // swap who goes first every round; the two diagnostic clients go before or after the pair.
    const [ours, sdk, ...floors] = contenders;
    const pair = round % 2 === 0 ? [ours, sdk] : [sdk, ours];
    const diagnostics = round % 2 === 0 ? floors : [...floors].reverse();
    const order = round % 4 < 2 ? [...pair, ...diagnostics] : [...diagnostics, ...pair];
    for (const contender of order) await once(contender, true);
    log(
      `  list-all round ${round + 1}/${opts.rounds}: ours ${round1(figures.ours.at(-1))} ms, openai ${round1(figures.sdk.at(-1))} ms, node:http ${round1(figures.nodeHttp.at(-1))} ms, fetch ${round1(figures.fetch.at(-1))} ms`,
    );
  }

  // Where the time goes: parsing every page, and the Pager's own bookkeeping on parsed pages.
  const texts: string[] = [];
  await nodeHttpLister(fake.baseUrl, fake.apiKey, opts.pageSize, texts)();
  const parseRuns: number[] = [];
  let parsed: BatchList[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    parsed = texts.map((text) => JSON.parse(text) as BatchList);
    parseRuns.push(performance.now() - started);
  }
  figures.jsonParseMs = median(parseRuns);
  const pagerRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    let next = 0;
    const pager = new Pager<Batch>((_cursor, _signal) => {
      const page = parsed[next++];
      return Promise.resolve({ items: page.data, hasMore: page.has_more === true });
    });
    const started = performance.now();
    do await pager.loadMore();
    while (pager.hasMore);
    pagerRuns.push(performance.now() - started);
  }
  figures.pagerMs = median(pagerRuns);
  return figures;
}

export function round1(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(1);
}
