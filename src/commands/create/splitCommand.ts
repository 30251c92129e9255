import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readSettings } from '../../config';
import { formatBytes, plainText } from '../../core/util/text';
import { partsKeptSentence, splitStoppedText } from '../../core/input/splitText';
import type { ValidationResult } from '../../core/input/jsonlValidation';
import { DEFAULT_SPLIT_LIMITS, type PartRange, type SplitLimits } from '../../core/input/splitInput';
import { scanForSplitInWorker, writePartsInWorker } from '../../core/input/scans';
import { newGroupId, partsDone, planKey, runSplitPlan, type SplitPlan, SplitPlanStore, SplitRunError } from '../../core/input/splitPlan';
import { askForDetails, problemList } from './batchDetails';
import { withCancellableProgress } from '../progress';
import type { Services } from '../services';
import { markBatchCreated } from '../../contextKeys';
import { queueSplitPlan } from '../queue/enqueueParts';

type SplitServices = Pick<Services, 'store' | 'log' | 'storage' | 'queues'>;

const count = (n: number): string => n.toLocaleString('en-US');

/** The limits of one batch, with `openaiBatches.maxRequestsPerBatch`. */
export function splitLimits(): SplitLimits {
  return { ...DEFAULT_SPLIT_LIMITS, maxRequests: readSettings().maxRequestsPerBatch };
}

/** The validation problems that say a file is over the limits of one batch (and nothing else). */
export function overLimitReasons(result: ValidationResult): string[] {
  return result.problems
    .filter((p) => p.code === 'tooManyRequests' || p.code === 'fileTooLarge' || p.code === 'tooManyInputs')
    .map((p) => p.message);
}

function planStore(services: SplitServices): SplitPlanStore {
  return new SplitPlanStore(join(services.storage, 'splits'));
}

/**
 * A `.jsonl` file over the limits of one batch: offers to split it into the fewest batches that
 * fit (each part's metadata names its group and `part i/N`), then uploads and creates them one
 * after another under one progress. The plan is kept until every part is created, so a failure
 * at part 7 of 9 offers to continue there, now or when Create Batch is run on the file again.
 */
export async function splitOversized(services: SplitServices, uri: vscode.Uri, filename: string, reasons: string[]): Promise<void> {
  if (uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('"{0}" is over the limits of one batch, and only a file on this machine can be split.', plainText(filename)),
    );
    return;
  }
  const { account } = services.store.requireConnection();
  const limits = splitLimits();
  const scan = await withCancellableProgress(vscode.l10n.t('Reading {0}', plainText(filename)), async (report, signal) => {
    const total = (await stat(uri.fsPath)).size;
    return scanForSplitInWorker(uri.fsPath, limits, {
      signal,
      onProgress: (bytes) => report(vscode.l10n.t('{0} of {1}', formatBytes(bytes), formatBytes(total))),
    });
  });
  if (!scan) return;
  if (scan.problemCount > 0) {
    const listed = scan.problems.map((p) => vscode.l10n.t('Line {0}: {1}', p.line, p.message));
    void vscode.window.showErrorMessage(
      scan.problemCount === 1
        ? vscode.l10n.t(
            '"{0}" has {1} problem to fix before it can be split: nothing was uploaded.',
            plainText(filename),
            count(scan.problemCount),
          )
        : vscode.l10n.t(
            '"{0}" has {1} problems to fix before it can be split: nothing was uploaded.',
            plainText(filename),
            count(scan.problemCount),
          ),
      { modal: true, detail: problemList(listed, scan.problemCount) },
    );
    return;
  }
  if (!scan.endpoint) {
    void vscode.window.showErrorMessage(vscode.l10n.t('"{0}" names no endpoint ("url") in its requests.', plainText(filename)));
    return;
  }
  const plans = planStore(services);
  const key = planKey(scan.sha256, account);
  const saved = await plans.load(key);
  if (saved && partsDone(saved) > 0 && (await partFilesPresent(saved))) {
    const done = partsDone(saved);
    const continueButton = vscode.l10n.t('Continue');
    const startOver = vscode.l10n.t('Start Over');
    const answer = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        '{0} of {1} batches from "{2}" were already created (group {3}). Continue with the rest?',
        count(done),
        count(saved.parts.length),
        plainText(filename),
        plainText(saved.group),
      ),
      { modal: true, detail: vscode.l10n.t('Start Over creates all parts again, as a new group.') },
      continueButton,
      startOver,
    );
    if (answer === continueButton) return runPlan(services, plans, saved);
    if (answer !== startOver) return;
    await plans.remove(key);
  }
  if (scan.parts.length <= 1) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('"{0}" fits in one batch after all: run Create Batch again.', plainText(filename)),
    );
    return;
  }
  const parts = scan.parts;
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('"{0}" is over the limits of one batch. Split it into {1} batches?', plainText(filename), count(parts.length)),
    { modal: true, detail: [...reasons.map((r) => plainText(r, 300)), '', ...parts.map(describePart)].join('\n') },
    vscode.l10n.t('Split into {0} Batches', count(parts.length)),
  );
  if (!answer) return;
  const details = await askForDetails({
    title: vscode.l10n.t('Create {0} batches from {1}', count(parts.length), plainText(filename)),
    summary: vscode.l10n.t(
      '{0} requests to {1} in {2} parts, completion window 24h.',
      count(scan.requests),
      scan.endpoint,
      count(parts.length),
    ),
    description: filename.replace(/\.jsonl$/i, ''),
    outputExpiresAfter: readSettings().outputExpiresAfter,
  });
  if (!details) return;
  const folder = plans.folder(key);
  const paths = await withCancellableProgress(
    vscode.l10n.t('Writing {0} parts of {1}', count(parts.length), plainText(filename)),
    // In a worker: the source (up to 200 MB) is read and written off the extension host's thread.
    (_report, signal) => writePartsInWorker(uri.fsPath, parts, folder, { signal }),
  );
  if (!paths) return;
  const plan: SplitPlan = {
    version: 1,
    key,
    source: { name: filename, sha256: scan.sha256, bytes: scan.fileBytes },
    account,
    endpoint: scan.endpoint,
    description: details.description,
    group: newGroupId(),
    outputExpiresAfter: details.outputExpiresAfter,
    inputExpiresAfter: readSettings().inputExpiresAfter,
    createdAt: Date.now(),
    parts: parts.map((part, i) => ({
      index: i + 1,
      path: paths[i],
      requests: part.requests,
      bytes: part.bytes,
      embeddingInputs: part.embeddingInputs,
    })),
  };
  await plans.save(plan);
  services.log.info(
    `Split ${uri.toString(true)} into ${parts.length} parts (group ${plan.group}): ${parts.map((p) => p.requests).join(', ')} requests.`,
  );
  // Under an enqueued-token limit the queue creates the parts as the model has room; the plan's
  // part files stay until the queue is done with them.
  if (await queueSplitPlan(services, plan, folder)) return;
  await runPlan(services, plans, plan);
}

function describePart(part: PartRange, index: number): string {
  return part.embeddingInputs
    ? vscode.l10n.t(
        'Part {0}: {1} requests, {2}, {3} embedding inputs',
        index + 1,
        count(part.requests),
        formatBytes(part.bytes),
        count(part.embeddingInputs),
      )
    : vscode.l10n.t('Part {0}: {1} requests, {2}', index + 1, count(part.requests), formatBytes(part.bytes));
}

async function partFilesPresent(plan: SplitPlan): Promise<boolean> {
  for (const part of plan.parts) {
    if (part.batchId) continue;
    try {
      if (!(await stat(part.path)).isFile()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Uploads and creates the parts left, one after another; on a failure, offers to continue. */
async function runPlan(services: SplitServices, plans: SplitPlanStore, plan: SplitPlan): Promise<void> {
  const { client, account } = services.store.requireConnection();
  if (account !== plan.account) {
    void vscode.window.showWarningMessage(vscode.l10n.t('These parts were started in another account: switch back to it to continue.'));
    return;
  }
  const total = plan.parts.length;
  const name = plainText(plan.source.name);
  try {
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Creating {0} batches from {1}', count(total), name),
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          await runSplitPlan(client, plan, plans, {
            signal: controller.signal,
            onStep: (part, step) =>
              progress.report({
                message: vscode.l10n.t(
                  'part {0} of {1}: {2}',
                  part.index,
                  total,
                  step === 'upload' ? vscode.l10n.t('uploading {0}…', formatBytes(part.bytes)) : vscode.l10n.t('creating the batch…'),
                ),
              }),
            onCreated: (part, batch) => {
              progress.report({ increment: 100 / total });
              services.log.info(`Created batch ${batch.id}, part ${part.index} of ${total} of group ${plan.group}.`);
              markBatchCreated();
              services.store.recordBatch(batch, { prependIfNew: true, account });
            },
          });
        } finally {
          subscription.dispose();
        }
      },
    );
  } catch (error) {
    if (!(error instanceof SplitRunError)) throw error;
    const done = partsDone(plan);
    const kept = partsKeptSentence(done);
    const continueButton = vscode.l10n.t('Continue');
    if (error.cause.cancelled) {
      services.log.info(`Creating the parts of group ${plan.group} was cancelled at part ${error.part.index} of ${total}.`);
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Stopped at part {0} of {1} of {2}. {3}Run Create Batch on the file again to continue.',
          error.part.index,
          total,
          name,
          kept ? `${kept} ` : '',
        ),
        continueButton,
      );
      if (choice === continueButton) return runPlan(services, plans, plan);
      return;
    }
    const message = services.log.redactor.redact(error.message);
    services.log.error(`Creating the parts of group ${plan.group} failed: ${message}`);
    const showLog = vscode.l10n.t('Show Log');
    const choice = await vscode.window.showErrorMessage(splitStoppedText(message, done), continueButton, showLog);
    if (choice === continueButton) return runPlan(services, plans, plan);
    if (choice === showLog) services.log.show();
    return;
  }
  await plans.remove(plan.key);
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(check) Created {0} batches from {1}', count(total), name), 5000);
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Created {0} batches from {1} (group {2}): the Batches view shows them as part 1/{3} to {3}/{3}.',
      count(total),
      name,
      plainText(plan.group),
      total,
    ),
  );
}
