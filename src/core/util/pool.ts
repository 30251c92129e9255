/**
 * Runs `work` over `items` with at most `limit` running at once, and returns each item's
 * outcome in item order; one failure does not stop the others. Stops starting new items once
 * `signal` aborts (those are reported as `skipped`).
 */
export async function settleWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<({ status: 'fulfilled'; value: R } | { status: 'rejected'; reason: unknown } | { status: 'skipped' })[]> {
  const outcomes: ({ status: 'fulfilled'; value: R } | { status: 'rejected'; reason: unknown } | { status: 'skipped' })[] = items.map(
    () => ({
      status: 'skipped',
    }),
  );
  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      try {
        outcomes[index] = { status: 'fulfilled', value: await work(items[index], index) };
      } catch (reason) {
        outcomes[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, runner));
  return outcomes;
}
