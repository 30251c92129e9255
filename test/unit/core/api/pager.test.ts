import * as assert from 'node:assert/strict';
import { ApiError } from '../../../../src/core/api/errors';
import { listPage, type Page } from '../../../../src/core/api/page';
import { Pager } from '../../../../src/core/api/pager';

type Item = { id: string; v?: number };

/** A scripted page source: pages keyed by cursor, with a call log and optional manual release. */
function source(pages: Record<string, Page<Item>>, opts: { manual?: boolean } = {}) {
  const calls: (string | undefined)[] = [];
  const releases: (() => void)[] = [];
  const fetch = (cursor: string | undefined, signal: AbortSignal): Promise<Page<Item>> => {
    calls.push(cursor);
    const page = pages[cursor ?? ''];
    if (!page) return Promise.reject(new ApiError('badRequest', `no page after ${cursor}`));
    if (!opts.manual) return Promise.resolve(structuredClone(page));
    return new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new ApiError('cancelled', 'aborted')));
      releases.push(() => resolve(structuredClone(page)));
    });
  };
  return { fetch, calls, releases };
}

const ids = (pager: Pager<Item>): string[] => pager.items.map((i) => i.id);

describe('Pager', () => {
  it('loads pages with the id of the last item as cursor until has_more is false', async () => {
    const src = source({ '': { items: [{ id: 'a' }, { id: 'b' }], hasMore: true }, b: { items: [{ id: 'c' }], hasMore: false } });
    const pager = new Pager(src.fetch);
    await pager.loadMore();
    assert.deepEqual(ids(pager), ['a', 'b']);
    assert.equal(pager.hasMore, true);
    await pager.loadMore();
    assert.deepEqual(ids(pager), ['a', 'b', 'c']);
    assert.equal(pager.hasMore, false);
    assert.equal(pager.endNote, undefined);
    await pager.loadMore();
    assert.deepEqual(src.calls, [undefined, 'b'], 'no request once the list is complete');
  });

  it('a list without has_more: a full page may have more (Load more), a short or empty one ends it, and it is never called complete', async () => {
    // A provider that pages by `limit` but leaves has_more out (SPEC "Providers as they really answer").
    const all = Array.from({ length: 5 }, (_, i) => ({ id: `b${i}` }));
    const calls: (string | undefined)[] = [];
    const pager = new Pager<Item>((cursor) => {
      calls.push(cursor);
      const start = cursor === undefined ? 0 : all.findIndex((item) => item.id === cursor) + 1;
      return Promise.resolve(listPage(all.slice(start, start + 2), undefined, 2));
    });
    await pager.loadMore();
    assert.deepEqual(ids(pager), ['b0', 'b1']);
    assert.equal(pager.hasMore, true, 'a full page without has_more may have more');
    assert.equal(pager.complete, false);
    await pager.loadMore();
    await pager.loadMore();
    assert.deepEqual(ids(pager), ['b0', 'b1', 'b2', 'b3', 'b4']);
    assert.equal(pager.hasMore, false, 'a short page ends the list');
    assert.equal(pager.endNote, undefined);
    assert.equal(pager.complete, false, 'the server never said that was all');
    assert.deepEqual(calls, [undefined, 'b1', 'b3']);
    // The guess survives a snapshot (the startup cache).
    const restored = new Pager<Item>(() => Promise.reject(new Error('no request')));
    restored.restore(pager.snapshot());
    assert.equal(restored.complete, false);
    // An empty page ends it too; a page that says has_more: false is complete.
    assert.deepEqual(listPage([], undefined, 2), { items: [], hasMore: false, guessed: true });
    const told = new Pager<Item>(() => Promise.resolve(listPage([{ id: 'a' }], false, 2)));
    await told.loadMore();
    assert.equal(told.complete, true);
  });

  it('shares one request between concurrent loadMore calls (double click)', async () => {
    const src = source({ '': { items: [{ id: 'a' }], hasMore: true }, a: { items: [{ id: 'b' }], hasMore: true } }, { manual: true });
    const pager = new Pager(src.fetch);
    const first = pager.loadMore();
    src.releases.shift()!();
    await first;
    const p1 = pager.loadMore();
    const p2 = pager.loadMore();
    assert.equal(p1, p2);
    assert.equal(src.calls.length, 2);
    src.releases.shift()!();
    await Promise.all([p1, p2]);
    assert.deepEqual(ids(pager), ['a', 'b']);
  });

  it('stops with a note on an empty page that says has_more', async () => {
    const src = source({ '': { items: [{ id: 'a' }], hasMore: true }, a: { items: [], hasMore: true } });
    const pager = new Pager(src.fetch);
    await pager.loadMore();
    await pager.loadMore();
    assert.equal(pager.hasMore, false);
    assert.match(pager.endNote ?? '', /empty page/);
    await pager.loadMore();
    assert.equal(src.calls.length, 2);
  });

  it('stops with a note when the cursor does not advance', async () => {
    const src = source({
      '': { items: [{ id: 'a' }, { id: 'b' }], hasMore: true },
      b: { items: [{ id: 'a' }, { id: 'b' }], hasMore: true },
    });
    const pager = new Pager(src.fetch);
    await pager.loadMore();
    await pager.loadMore();
    assert.deepEqual(ids(pager), ['a', 'b'], 'no duplicates');
    assert.equal(pager.hasMore, false);
    assert.match(pager.endNote ?? '', /same page/);
  });

  it('drops duplicate ids across pages, keeping the newer data, and stops when a page adds nothing', async () => {
    const src = source({
      '': { items: [{ id: 'a' }, { id: 'b', v: 1 }], hasMore: true },
      b: { items: [{ id: 'b', v: 2 }, { id: 'c' }], hasMore: true },
      c: { items: [{ id: 'a' }, { id: 'c' }, { id: 'b' }], hasMore: true },
    });
    const pager = new Pager(src.fetch);
    await pager.loadMore();
    await pager.loadMore();
    assert.deepEqual(ids(pager), ['a', 'b', 'c']);
    assert.equal(pager.get('b')?.v, 2);
    await pager.loadMore();
    assert.deepEqual(ids(pager), ['a', 'b', 'c']);
    assert.equal(pager.hasMore, false);
    assert.match(pager.endNote ?? '', /repeated/);
  });

  it('keeps the loaded items when a load-more fails, and can retry', async () => {
    let fail = true;
    const pager = new Pager<Item>((cursor) => {
      if (cursor === undefined) return Promise.resolve({ items: [{ id: 'a' }], hasMore: true });
      if (fail) return Promise.reject(new ApiError('server', 'boom'));
      return Promise.resolve({ items: [{ id: 'b' }], hasMore: false });
    });
    await pager.loadMore();
    await assert.rejects(pager.loadMore(), /boom/);
    assert.deepEqual(ids(pager), ['a']);
    assert.equal(pager.hasMore, true);
    fail = false;
    await pager.loadMore();
    assert.deepEqual(ids(pager), ['a', 'b']);
  });

  it('refresh keeps the old items until the new first page arrives, then replaces them', async () => {
    let generation = 0;
    const releases: (() => void)[] = [];
    const pager = new Pager<Item>(
      () =>
        new Promise((resolve) => {
          const page =
            generation++ === 0 ? { items: [{ id: 'old' }], hasMore: false } : { items: [{ id: 'new' }, { id: 'old' }], hasMore: false };
          releases.push(() => resolve(page));
        }),
    );
    const first = pager.loadMore();
    releases.shift()!();
    await first;
    const refreshing = pager.refresh();
    assert.deepEqual(ids(pager), ['old'], 'old list stays while refreshing');
    assert.equal(pager.busy, 'refresh');
    releases.shift()!();
    await refreshing;
    assert.deepEqual(ids(pager), ['new', 'old']);
  });

  it('refresh supersedes a load-more in flight: the slow old answer is dropped', async () => {
    const src = source({ '': { items: [{ id: 'a' }], hasMore: true }, a: { items: [{ id: 'stale' }], hasMore: false } }, { manual: true });
    const pager = new Pager(src.fetch);
    const first = pager.loadMore();
    src.releases.shift()!();
    await first;
    const loading = pager.loadMore();
    const refreshing = pager.refresh();
    src.releases.shift()!(); // the load-more's answer arrives late (its signal was aborted)
    await loading; // resolves quietly: superseded, not an error
    src.releases.shift()!();
    await refreshing;
    assert.deepEqual(ids(pager), ['a']);
    assert.equal(pager.hasMore, true);
  });

  it('a failed refresh keeps the previous items', async () => {
    let calls = 0;
    const pager = new Pager<Item>(() =>
      calls++ === 0 ? Promise.resolve({ items: [{ id: 'a' }], hasMore: false }) : Promise.reject(new ApiError('network', 'offline')),
    );
    await pager.loadMore();
    await assert.rejects(pager.refresh(), /offline/);
    assert.deepEqual(ids(pager), ['a']);
  });

  it('update and prepend change items in place without duplicates', async () => {
    const pager = new Pager<Item>(() => Promise.resolve({ items: [{ id: 'a', v: 1 }], hasMore: false }));
    await pager.loadMore();
    assert.equal(pager.replaceItem({ id: 'a', v: 2 }), true);
    assert.equal(pager.replaceItem({ id: 'zz' }), false);
    pager.prepend({ id: 'n' });
    pager.prepend({ id: 'a', v: 3 });
    assert.deepEqual(ids(pager), ['n', 'a']);
    assert.equal(pager.get('a')?.v, 3);
  });
});
