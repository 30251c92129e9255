import * as assert from 'node:assert/strict';
import { ApiError } from '../../../../src/core/api/errors';
import { type FetchedUpdate, fetchUpdate, type IncrementalOptions, mergeUpdate } from '../../../../src/core/api/incrementalRefresh';
import type { Page } from '../../../../src/core/api/page';

type Item = { id: string; v?: number; done?: boolean; nested?: Record<string, unknown> };

const ids = (items: readonly Item[]): string[] => items.map((item) => item.id);

function merged(current: readonly Item[], fetched: Omit<Extract<FetchedUpdate<Item>, { kind: 'merge' }>, 'kind'>) {
  const patch = mergeUpdate(current, { kind: 'merge', ...fetched });
  assert.equal(patch.kind, 'merge');
  return patch;
}

describe('mergeUpdate (the pure half of an incremental refresh)', () => {
  const loaded: Item[] = [
    { id: 'c', v: 1 },
    { id: 'b', v: 1 },
    { id: 'a', v: 1 },
  ];

  it('puts new items on top in their order, replaces known ones where they are and keeps the pages beyond', () => {
    const patch = merged(loaded, {
      newest: [{ id: 'e' }, { id: 'd' }, { id: 'c', v: 2 }],
      refetched: [{ id: 'a', v: 2 }],
      gone: [],
      pages: 1,
    });
    assert.deepEqual(ids(patch.items), ['e', 'd', 'c', 'b', 'a']);
    assert.deepEqual(
      patch.items.map((item) => item.v),
      [undefined, undefined, 2, 1, 2],
    );
    assert.deepEqual(patch.stats, { pages: 1, fetchedOne: 1, added: 2, fullReload: false, changed: 4 });
  });

  it('drops gone items and counts them as changes and as fetched', () => {
    const patch = merged(loaded, { newest: [{ id: 'c', v: 1 }], refetched: [], gone: ['b'], pages: 1 });
    assert.deepEqual(ids(patch.items), ['c', 'a']);
    assert.deepEqual(patch.stats, { pages: 1, fetchedOne: 1, added: 0, fullReload: false, changed: 1 });
  });

  it('counts nothing as changed when the fetched copies hold the same JSON (key order aside)', () => {
    const current: Item[] = [
      { id: 'b', v: 1, nested: { x: 1, y: [1, 2] } },
      { id: 'a', done: false },
    ];
    const patch = merged(current, {
      newest: [{ nested: { y: [1, 2], x: 1 }, v: 1, id: 'b' }],
      refetched: [{ done: false, id: 'a' }],
      gone: [],
      pages: 1,
    });
    assert.equal(patch.stats.changed, 0);
    assert.deepEqual(ids(patch.items), ['b', 'a']);
  });

  it('merges into the items loaded when the update arrives: an item added meanwhile is replaced, not repeated', () => {
    // The update started from [b, a]; a create put `n` on top while its pages loaded, and they list `n` too.
    const now: Item[] = [
      { id: 'n', v: 1 },
      { id: 'b', v: 1 },
      { id: 'a', v: 1 },
    ];
    const patch = merged(now, {
      newest: [
        { id: 'n', v: 2 },
        { id: 'b', v: 1 },
      ],
      refetched: [],
      gone: [],
      pages: 1,
    });
    assert.deepEqual(ids(patch.items), ['n', 'b', 'a']);
    assert.equal(patch.items[0].v, 2);
    assert.deepEqual(patch.stats, { pages: 1, fetchedOne: 0, added: 0, fullReload: false, changed: 1 });
  });

  it('ignores refetched copies of items no longer loaded', () => {
    const patch = merged(loaded, { newest: [{ id: 'c', v: 1 }], refetched: [{ id: 'zz', v: 9 }], gone: [], pages: 1 });
    assert.deepEqual(ids(patch.items), ['c', 'b', 'a']);
    assert.equal(patch.stats.changed, 0);
  });

  it('changes nothing it is given', () => {
    const current = structuredClone(loaded);
    const fetched: FetchedUpdate<Item> = {
      kind: 'merge',
      newest: [{ id: 'd' }, { id: 'c', v: 5 }],
      refetched: [{ id: 'a', v: 5 }],
      gone: ['b'],
      pages: 2,
    };
    const before = structuredClone(fetched);
    mergeUpdate(current, fetched);
    assert.deepEqual(current, loaded);
    assert.deepEqual(fetched, before);
  });

  it('turns a reload into the page to start over from, counted as a full reload', () => {
    const page: Page<Item> = { items: [{ id: 'x' }, { id: 'y' }], hasMore: true };
    const patch = mergeUpdate(loaded, { kind: 'reload', page, pages: 3 });
    assert.equal(patch.kind, 'reload');
    assert.equal(patch.kind === 'reload' && patch.page, page);
    assert.deepEqual(patch.stats, { pages: 3, fetchedOne: 0, added: 2, fullReload: true, changed: 2 });
  });
});

describe('fetchUpdate (the fetching half)', () => {
  /** Pages keyed by cursor ('' = the first page), and every cursor and id asked for. */
  function source(pages: Record<string, Page<Item>>, byId: Record<string, Item | 'gone'> = {}) {
    const calls: string[] = [];
    const fetchPage = (cursor: string | undefined): Promise<Page<Item>> => {
      calls.push(`page ${cursor ?? ''}`);
      const page = pages[cursor ?? ''];
      return page ? Promise.resolve(structuredClone(page)) : Promise.reject(new ApiError('badRequest', `no page after ${cursor}`));
    };
    const options: IncrementalOptions<Item> = {
      isFinal: (item) => item.done === true,
      fetchOne: (id) => {
        calls.push(`get ${id}`);
        const item = byId[id];
        if (item === 'gone' || item === undefined) return Promise.reject(new ApiError('notFound', `${id} not found`));
        return Promise.resolve(item);
      },
    };
    return { fetchPage, options, calls };
  }

  const signal = new AbortController().signal;

  it('stops at the first known finished item and refetches only the known unfinished items beyond it', async () => {
    const loaded: Item[] = [{ id: 'c' }, { id: 'b', done: true }, { id: 'a' }, { id: 'z', done: true }];
    const src = source(
      { '': { items: [{ id: 'd' }, { id: 'c', v: 2 }, { id: 'b', done: true }], hasMore: true } },
      { a: { id: 'a', v: 2 } },
    );
    const fetched = await fetchUpdate(loaded, src.fetchPage, src.options, signal);
    assert.deepEqual(src.calls, ['page ', 'get a']);
    assert.deepEqual(fetched, {
      kind: 'merge',
      newest: [{ id: 'd' }, { id: 'c', v: 2 }, { id: 'b', done: true }],
      refetched: [{ id: 'a', v: 2 }],
      gone: [],
      pages: 1,
    });
  });

  it('stops at the oldest loaded item, leaving what lies beyond it to Load more', async () => {
    const loaded: Item[] = [{ id: 'b' }, { id: 'a' }];
    const src = source({
      '': { items: [{ id: 'c' }, { id: 'b' }], hasMore: true },
      b: { items: [{ id: 'a' }, { id: 'older' }], hasMore: true },
    });
    const fetched = await fetchUpdate(loaded, src.fetchPage, src.options, signal);
    assert.deepEqual(src.calls, ['page ', 'page b']);
    assert.equal(fetched.kind, 'merge');
    assert.deepEqual(fetched.kind === 'merge' && ids(fetched.newest), ['c', 'b', 'a']);
  });

  it('reports a loaded unfinished item the provider deleted as gone', async () => {
    const loaded: Item[] = [{ id: 'b', done: true }, { id: 'a' }];
    const src = source({ '': { items: [{ id: 'b', done: true }], hasMore: true } }, { a: 'gone' });
    const fetched = await fetchUpdate(loaded, src.fetchPage, src.options, signal);
    assert.deepEqual(fetched.kind === 'merge' && fetched.gone, ['a']);
  });

  it('asks for a reload when none of the loaded items is listed any more', async () => {
    const loaded: Item[] = [{ id: 'old' }];
    const src = source({ '': { items: [{ id: 'new' }], hasMore: false } });
    const fetched = await fetchUpdate(loaded, src.fetchPage, src.options, signal);
    assert.deepEqual(fetched, { kind: 'reload', page: { items: [{ id: 'new' }], hasMore: false }, pages: 1 });
  });

  it('rejects an empty first page that says there are more, so the loaded items stay', async () => {
    const src = source({ '': { items: [], hasMore: true } });
    await assert.rejects(
      fetchUpdate([{ id: 'a' }], src.fetchPage, src.options, signal),
      (error: unknown) => error instanceof ApiError && error.kind === 'badResponse',
    );
  });
});
