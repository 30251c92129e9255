import * as vscode from 'vscode';
import { join } from 'node:path';
import { readAutopilotSettings } from '../config';
import { errorMessage, isCancellation } from '../core/api/errors';
import type { Batch, FileObject } from '../core/api/types';
import type { BatchStore } from '../core/batches/batchStore';
import { archiveOne, archiveTasks, ArchiveLedgerStore, expiringUnarchived } from '../core/queue/archive';
import { plainText } from '../core/util/text';
import { batchLabel } from '../core/batches/batchDisplay';
import type { Logger } from '../log';

/**
 * One account's expiry guardian: after the store changes (debounced), archives the output and
 * error files of its finished batches into `openaiBatches.archiveFolder` (each once, see
 * core/queue/archive.ts), showing progress in the status bar, and warns
 * `openaiBatches.expiryWarningDays` before an output that was not archived expires.
 */
export class ArchiveGuardian implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  /** File records looked up this session (size, `expires_at`), by file id. */
  readonly records = new Map<string, FileObject>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: BatchStore,
    private readonly root: string,
    private readonly log: Logger,
    private readonly status: vscode.StatusBarItem,
    /** The account's file records as the Files view loaded them (none before it did). */
    private readonly fileRecords: () => readonly FileObject[],
  ) {
    this.subscriptions.push(
      store.onDidChange(() => this.schedule()),
      store.onDidChangeAccount(() => this.records.clear()),
    );
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runAutomatically(), 1500);
  }

  private async runAutomatically(): Promise<void> {
    const { archiveFolder, expiryWarningDays } = readAutopilotSettings();
    if (archiveFolder) await this.archive(archiveFolder);
    if (expiryWarningDays > 0) await this.warn(expiryWarningDays);
  }

  private ledger(): ArchiveLedgerStore | undefined {
    const account = this.store.account;
    return account ? new ArchiveLedgerStore(join(this.root, 'queue'), account) : undefined;
  }

  /** Archives what is due into `folder` (only `batchIds`, when given); one run at a time. Returns the files saved. */
  archive(folder: string, batchIds?: ReadonlySet<string>): Promise<number> {
    const previous = this.running ?? Promise.resolve(0);
    const run = previous.then(() => this.archiveNow(folder, batchIds));
    this.running = run.finally(() => {
      if (this.running === run) this.running = undefined;
    });
    return run;
  }

  private async archiveNow(folder: string, batchIds?: ReadonlySet<string>): Promise<number> {
    const ledgers = this.ledger();
    const state = this.store.state;
    if (!ledgers || state.kind !== 'ready' || !this.store.hasLoaded) return 0;
    const ledger = await ledgers.load();
    const tasks = archiveTasks(this.store.batches, ledger).filter((task) => !batchIds || batchIds.has(task.batch.id));
    let saved = 0;
    for (const [i, task] of tasks.entries()) {
      this.status.text = vscode.l10n.t('$(archive) Archiving {0} of {1}…', i + 1, tasks.length);
      this.status.tooltip = vscode.l10n.t('Saving outputs and error files of finished batches to {0}', plainText(folder, 300));
      this.status.show();
      try {
        const outcome = await archiveOne(state.client, task, folder, undefined, (record) => this.records.set(record.id, record));
        if (outcome.kind === 'saved') {
          ledger.files[task.fileId] = { batchId: task.batch.id, role: task.role, path: outcome.path, bytes: outcome.bytes, at: Date.now() };
          saved++;
          this.log.info(`Archived the ${task.role} file ${task.fileId} of ${task.batch.id} to ${outcome.path} (${outcome.bytes} bytes).`);
        } else {
          ledger.gone[task.fileId] = outcome.reason;
          this.log.warn(`Could not archive the ${task.role} file ${task.fileId} of ${task.batch.id}: ${outcome.reason}.`);
        }
        await ledgers.save(ledger);
      } catch (error) {
        if (isCancellation(error)) break;
        this.log.warn(`Archiving ${task.fileId} of ${task.batch.id} failed: ${this.log.redactor.redact(errorMessage(error))}`);
      }
    }
    this.status.hide();
    if (saved > 0) {
      vscode.window.setStatusBarMessage(vscode.l10n.t('$(archive) Archived {0} file(s) to {1}', saved, plainText(folder, 120)), 5000);
      this.changed.fire();
    }
    return saved;
  }

  /**
   * Warns once per output that expires within `days` and is not archived, with Save Now. Costs no
   * request: it reads the file records already known (the Files view's list, and the records the
   * archive looked up).
   */
  private async warn(days: number): Promise<void> {
    const ledgers = this.ledger();
    if (!ledgers || this.store.state.kind !== 'ready' || !this.store.hasLoaded) return;
    const ledger = await ledgers.load();
    const tasks = archiveTasks(this.store.batches, ledger).filter((task) => task.role === 'output' && !ledger.warned[task.fileId]);
    const records = this.knownRecords();
    const due = expiringUnarchived(records, tasks, days);
    if (due.length === 0) return;
    for (const { task } of due) ledger.warned[task.fileId] = Date.now();
    await ledgers.save(ledger);
    const saveNow = vscode.l10n.t('Save Now');
    const first = due[0];
    const message =
      due.length === 1
        ? vscode.l10n.t(
            'The output of "{0}" expires {1} and was not archived.',
            plainText(batchLabel(first.task.batch), 80),
            new Date(first.expiresAt * 1000).toLocaleString(),
          )
        : vscode.l10n.t('{0} batch outputs expire within {1} days and were not archived.', due.length, days);
    const choice = await vscode.window.showWarningMessage(message, saveNow);
    if (choice === saveNow) await saveNowFor(this, new Set(due.map(({ task }) => task.batch.id)));
  }

  /** File records known without a request: the Files view's (once it loaded) and those the archive looked up. */
  private knownRecords(): Map<string, FileObject> {
    const records = new Map(this.records);
    for (const file of this.fileRecords()) records.set(file.id, file);
    return records;
  }

  /** When a finished batch's output file expires (unix seconds), if its record is known. */
  expiryOf(batch: Batch): number | undefined {
    const id = batch.output_file_id;
    if (!id) return undefined;
    const expiresAt = this.records.get(id)?.expires_at ?? this.fileRecords().find((file) => file.id === id)?.expires_at;
    return typeof expiresAt === 'number' ? expiresAt : undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}

/** Saves the given batches' files now: into the archive folder, or one the user picks when none is set. */
export async function saveNowFor(guardian: ArchiveGuardian, batchIds?: ReadonlySet<string>): Promise<number | undefined> {
  let folder = readAutopilotSettings().archiveFolder;
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: vscode.l10n.t('Save Here'),
      title: vscode.l10n.t('Where to save the outputs (set openaiBatches.archiveFolder to archive automatically)'),
    });
    if (!picked?.[0]) return undefined;
    folder = picked[0].fsPath;
  }
  return guardian.archive(folder, batchIds);
}

/** Each account's {@link ArchiveGuardian}. */
export class ArchiveGuardians implements vscode.Disposable {
  private readonly guardians = new Map<BatchStore, ArchiveGuardian>();
  private readonly status = vscode.window.createStatusBarItem('openaiBatches.archive', vscode.StatusBarAlignment.Left, 10);
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly root: string,
    private readonly log: Logger,
    private readonly fileRecords: (store: BatchStore) => readonly FileObject[],
  ) {
    this.status.name = vscode.l10n.t('OpenAI Batches: Archive');
  }

  of(store: BatchStore): ArchiveGuardian {
    let guardian = this.guardians.get(store);
    if (!guardian) {
      guardian = new ArchiveGuardian(store, this.root, this.log, this.status, () => this.fileRecords(store));
      guardian.onDidChange(() => this.changed.fire());
      this.guardians.set(store, guardian);
    }
    return guardian;
  }

  start(stores: Iterable<BatchStore>): void {
    for (const store of stores) this.of(store);
  }

  dispose(): void {
    for (const guardian of this.guardians.values()) guardian.dispose();
    this.status.dispose();
    this.changed.dispose();
  }
}
