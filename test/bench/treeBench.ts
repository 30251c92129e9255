import { performance } from 'node:perf_hooks';
// The functions the tree provider calls for every node.
import * as display from '../../src/core/batches/batchDisplay';
import { formatTimestamp } from '../../src/core/util/time';
import { escapeMarkdown, singleLine } from '../../src/core/util/text';
import { groupByStatus } from '../../src/core/batches/grouping';
import type { Batch } from '../../src/core/api/types';
import { DEMO_NOW, generateBatches } from '../fake-api/data';
import { gc, median, round } from './benchCommon';

// Tree build

export interface NodeModel {
  id: string;
  label: string;
  description?: string;
  icon: string;
  color?: string;
  tooltip?: string;
}

/** What the tree provider computes for a full listing: the groups, then every batch node's model. */
export function buildTreeModels(batches: readonly Batch[]): NodeModel[] {
  const nodes: NodeModel[] = [];
  for (const group of groupByStatus(batches)) {
    const groupId = `status/${group.status}`;
    const groupPresentation = display.statusPresentation(group.status);
    const human = display.humanizeStatus(group.status);
    nodes.push({
      id: groupId,
      label: `${human} (${group.batches.length})`,
      icon: groupPresentation.icon,
      color: groupPresentation.color,
      tooltip: `${group.batches.length} ${human.toLowerCase()} batches loaded`,
    });
    for (const batch of group.batches) {
      const presentation = display.batchPresentation(batch);
      nodes.push({
        id: `${groupId}/${batch.id}`,
        label: display.batchLabel(batch),
        description: display.batchDescription(batch),
        icon: presentation.icon,
        color: presentation.color,
        // The Markdown tooltip is built on hover (resolveTreeItem), not per node; timed separately below.
      });
    }
  }
  return nodes;
}

export function timeRuns(runs: number, warmups: number, body: () => unknown): number[] {
  const times: number[] = [];
  let sink = 0;
  for (let i = 0; i < warmups + runs; i++) {
    gc();
    const started = performance.now();
    const out = body();
    const ms = performance.now() - started;
    if (Array.isArray(out)) sink += out.length;
    if (i >= warmups) times.push(ms);
  }
  if (sink < 0) console.log(sink);
  return times;
}

export function benchTree(count: number, runs: number): { median: number; breakdown: Record<string, number> } {
  // Parsed from JSON like a real page, so objects have the shapes the extension sees.
  const batches = JSON.parse(JSON.stringify(generateBatches(count, { now: DEMO_NOW }))) as Batch[];
  const total = median(timeRuns(runs, 3, () => buildTreeModels(batches)));
  const part = (body: (batch: Batch) => unknown): number =>
    round(median(timeRuns(Math.max(3, Math.min(runs, 7)), 2, () => batches.map(body))), 2);
  const breakdown = {
    groupByStatus: round(median(timeRuns(Math.max(3, Math.min(runs, 7)), 2, () => groupByStatus(batches))), 2),
    batchLabel: part(display.batchLabel),
    batchDescription: part((batch) => display.batchDescription(batch)),
    batchPresentation: part(display.batchPresentation),
    batchTooltipMarkdown: part((batch) => display.batchTooltipMarkdown(batch)),
    // Inside the tooltip: its three timestamps and four escaped strings.
    'tooltip: formatTimestamp x3': part((batch) => [
      formatTimestamp(batch.created_at),
      formatTimestamp(batch.expires_at),
      formatTimestamp(batch.completed_at),
    ]),
    'tooltip: escapeMarkdown(singleLine()) x4': part((batch) =>
      [display.batchLabel(batch), batch.id, batch.endpoint ?? '', batch.model ?? ''].map((text) => escapeMarkdown(singleLine(text, 200))),
    ),
  };
  return { median: total, breakdown };
}
