import * as vscode from 'vscode';
import type { JoinReport } from '../../core/results/resultsJoin';

/** Notes on what the join of a batch's files left out or could not match, for the top of the results page. */
export function joinNotes(report: JoinReport, hasInput: boolean): string[] {
  const notes: string[] = [];
  if (report.counts.unmatched && hasInput) {
    notes.push(
      report.counts.unmatched === 1
        ? vscode.l10n.t(
            '{0} result has a custom_id not in the input file (shown last, line -1).',
            report.counts.unmatched.toLocaleString('en-US'),
          )
        : vscode.l10n.t(
            '{0} results have custom_ids not in the input file (shown last, line -1).',
            report.counts.unmatched.toLocaleString('en-US'),
          ),
    );
  }
  if (report.skippedCount) {
    const listed = report.skipped.slice(0, 5).map((s) => vscode.l10n.t('{0} line {1}: {2}', s.file, s.line, s.reason));
    notes.push(
      report.skippedCount === 1
        ? vscode.l10n.t('Skipped {0} line that could not be joined ({1}).', report.skippedCount.toLocaleString('en-US'), listed.join('; '))
        : vscode.l10n.t(
            'Skipped {0} lines that could not be joined ({1}).',
            report.skippedCount.toLocaleString('en-US'),
            `${listed.join('; ')}${report.skippedCount > 5 ? '; …' : ''}`,
          ),
    );
  }
  if (report.overLimit) {
    notes.push(
      vscode.l10n.t(
        'Only the first {0} rows are shown: {1} more requests or results are in the files (Open Output File shows them all).',
        report.rows.length.toLocaleString('en-US'),
        report.overLimit.toLocaleString('en-US'),
      ),
    );
  }
  return notes;
}
