import { chainNeighbours } from '../../core/batches/batchChains';
import { batchLabel } from '../../core/batches/batchDisplay';
import { canResubmit } from '../../core/input/resubmit';
import type { Batch } from '../../core/api/types';
import type { ChainLinkRow, RecoveryView } from './protocol';

/**
 * What the detail page shows of a batch's chain: the batch it resubmits, the batches that
 * resubmit it, the other parts of its split group (among the loaded batches), and whether
 * Resubmit Failed Requests… applies. Kept apart from `detailView` so each stays small.
 */
export function recoveryView(batch: Batch, known: readonly Batch[]): RecoveryView {
  const neighbours = chainNeighbours(batch, known);
  const byId = new Map(known.map((b) => [b.id, b]));
  const row = (relation: ChainLinkRow['relation'], id: string): ChainLinkRow => {
    const other = byId.get(id);
    return { relation, id, label: other ? batchLabel(other) : undefined };
  };
  const links: ChainLinkRow[] = [];
  if (neighbours.resubmissionOf) links.push(row('resubmission of', neighbours.resubmissionOf));
  for (const id of neighbours.resubmittedAs) links.push(row('resubmitted as', id));
  for (const id of neighbours.group?.siblings ?? []) links.push(row('other part', id));
  const view: RecoveryView = { resubmittable: canResubmit(batch), links };
  if (neighbours.group) {
    const { id, part } = neighbours.group;
    view.group = part ? `part ${part.index} of ${part.count} · group ${id}` : `group ${id}`;
  }
  return view;
}
