import { answerSummary } from '../results/answers';
import type { ResultFilePaths } from '../results/resultsIndex';
import type { JoinedResult } from '../results/resultsJoin';
import { isRecord } from '../util/json';
import { LineFile } from '../util/lineReader';

/** One run as the compare view reads it back: its rows' file sets (by `row.source`) and endpoint. */
export interface RunSource {
  /** One file set, or one per batch of a chain. */
  sources: readonly ResultFilePaths[];
  endpoint: string | null | undefined;
}

/** The longest answer read back whole: an expanded row or an export of a novel-length answer stops here. */
export const MAX_FULL_ANSWER_CHARS = 1_000_000;

/**
 * A run's result files, each opened on first use and kept open until {@link close}: one task's
 * worth (an expanded row, an export, the check of pending verdicts). Lines are read back by the
 * offset the rows keep, and checked to be the row's.
 */
export class RunFiles {
  private readonly open = new Map<string, Promise<LineFile>>();

  constructor(private readonly run: RunSource) {}

  /** The row's result line parsed (`{custom_id, response, error}`); undefined for a row without one. */
  async result(row: JoinedResult): Promise<Record<string, unknown> | undefined> {
    const at = row.resultAt;
    if (!at) return undefined;
    const path = this.run.sources[row.source ?? 0]?.[at.file];
    if (!path) throw new Error(`The ${at.file} file is not available.`);
    let file = this.open.get(path);
    if (!file) {
      file = LineFile.open(path);
      this.open.set(path, file);
    }
    let value: unknown;
    try {
      value = JSON.parse(await (await file).read(at.offset, at.bytes));
    } catch {
      value = undefined;
    }
    // The cached copy was replaced since it was indexed: better no answer than another request's.
    if (!isRecord(value) || value.custom_id !== row.customId) {
      throw new Error(`The ${at.file} file changed since it was read (no "${row.customId}" at byte ${at.offset}); reopen the comparison.`);
    }
    return value;
  }

  /** The successful response body of the row, or undefined. */
  async body(row: JoinedResult): Promise<unknown> {
    const result = await this.result(row);
    const response = result && isRecord(result.response) ? result.response : undefined;
    return response?.body;
  }

  /** The row's whole answer (up to {@link MAX_FULL_ANSWER_CHARS}): read back when its preview was cut. */
  async answer(row: JoinedResult): Promise<string> {
    if (!row.answerCut || row.outcome !== 'succeeded') return row.answer ?? '';
    return answerSummary(this.run.endpoint, await this.body(row), MAX_FULL_ANSWER_CHARS) ?? row.answer ?? '';
  }

  async close(): Promise<void> {
    const files = await Promise.allSettled(this.open.values());
    this.open.clear();
    await Promise.all(files.map((file) => (file.status === 'fulfilled' ? file.value.close() : Promise.resolve())));
  }
}
