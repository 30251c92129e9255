import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readSettings } from '../config';
import { formatBytes, plainText } from '../core/format';
import type { ValidationResult } from '../core/jsonlValidation';
import {
  DEFAULT_SPLIT_LIMITS,
  newGroupId,
  type PartRange,
  partsDone,
  planKey,
  runSplitPlan,
  scanForSplit,
  type SplitLimits,
  type SplitPlan,
  SplitPlanStore,
  SplitRunError,
  writeParts,
} from '../core/splitInput';
import { askForDetails } from './createBatchCommand';
import { withCancellableProgress } from './progress';
import type { Services } from './services';

type SplitServices = Pick<Services, 'store' | 'log' | 'storage'>;

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
      `"${plainText(filename)}" is over the limits of one batch, and only a file on this machine can be split.`,
    );
    return;
  }
  const { account } = services.store.requireConnection();
  const limits = splitLimits();
  const scan = await withCancellableProgress(`Reading ${plainText(filename)}`, async (report, signal) => {
    const total = (await stat(uri.fsPath)).size;
    return scanForSplit(uri.fsPath, limits, { signal, onProgress: (bytes) => report(`${formatBytes(bytes)} of ${formatBytes(total)}`) });
  });
  if (!scan) return;
  if (scan.problemCount > 0) {
    const listed = scan.problems.slice(0, 5).map((p) => `Line ${p.line}: ${p.message}`);
    if (scan.problemCount > listed.length) listed.push(`…and ${count(scan.problemCount - listed.length)} more.`);
    void vscode.window.showErrorMessage(
      `"${plainText(filename)}" has ${count(scan.problemCount)} problem${scan.problemCount === 1 ? '' : 's'} to fix before it can be split: nothing was uploaded.`,
      { modal: true, detail: listed.join('\n') },
    );
    return;
  }
  if (!scan.endpoint) {
    void vscode.window.showErrorMessage(`"${plainText(filename)}" names no endpoint ("url") in its requests.`);
    return;
  }
  const plans = planStore(services);
  const key = planKey(scan.sha256, account);
  const saved = await plans.load(key);
  if (saved && partsDone(saved) > 0 && (await partFilesPresent(saved))) {
    const done = partsDone(saved);
    const answer = await vscode.window.showInformationMessage(
      `${count(done)} of ${count(saved.parts.length)} batches from "${plainText(filename)}" were already created (group ${plainText(saved.group)}). Continue with the rest?`,
      { modal: true, detail: 'Start Over creates all parts again, as a new group.' },
      'Continue',
      'Start Over',
    );
    if (answer === 'Continue') return runPlan(services, plans, saved);
    if (answer !== 'Start Over') return;
    await plans.remove(key);
  }
  if (scan.parts.length <= 1) {
    void vscode.window.showInformationMessage(`"${plainText(filename)}" fits in one batch after all: run Create Batch again.`);
    return;
  }
  const parts = scan.parts;
  const answer = await vscode.window.showWarningMessage(
    `"${plainText(filename)}" is over the limits of one batch. Split it into ${count(parts.length)} batches?`,
    { modal: true, detail: [...reasons.map((r) => plainText(r, 300)), '', ...parts.map(describePart)].join('\n') },
    `Split into ${count(parts.length)} Batches`,
  );
  if (!answer) return;
  const details = await askForDetails({
    title: `Create ${count(parts.length)} batches from ${plainText(filename)}`,
    summary: `${count(scan.requests)} requests to ${scan.endpoint} in ${count(parts.length)} parts, completion window 24h.`,
    description: filename.replace(/\.jsonl$/i, ''),
    outputExpiresAfter: readSettings().outputExpiresAfter,
  });
  if (!details) return;
  const folder = plans.folder(key);
  const paths = await withCancellableProgress(`Writing ${count(parts.length)} parts of ${plainText(filename)}`, (_report, signal) =>
    writeParts(uri.fsPath, parts, folder, { signal }),
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
  await runPlan(services, plans, plan);
}

function describePart(part: PartRange, index: number): string {
  const inputs = part.embeddingInputs ? `, ${count(part.embeddingInputs)} embedding inputs` : '';
  return `Part ${index + 1}: ${count(part.requests)} requests, ${formatBytes(part.bytes)}${inputs}`;
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
    void vscode.window.showWarningMessage('These parts were started in another account: switch back to it to continue.');
    return;
  }
  const total = plan.parts.length;
  const name = plainText(plan.source.name);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Creating ${count(total)} batches from ${name}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          await runSplitPlan(client, plan, plans, {
            signal: controller.signal,
            onStep: (part, step) =>
              progress.report({
                message: `part ${part.index} of ${total}: ${step === 'upload' ? `uploading ${formatBytes(part.bytes)}…` : 'creating the batch…'}`,
              }),
            onCreated: (part, batch) => {
              progress.report({ increment: 100 / total });
              services.log.info(`Created batch ${batch.id}, part ${part.index} of ${total} of group ${plan.group}.`);
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
    const kept = done > 0 ? ` Parts 1–${done} were created and are kept.` : '';
    if (error.cause.cancelled) {
      services.log.info(`Creating the parts of group ${plan.group} was cancelled at part ${error.part.index} of ${total}.`);
      const choice = await vscode.window.showWarningMessage(
        `Stopped at part ${error.part.index} of ${total} of ${name}.${kept} Run Create Batch on the file again to continue.`,
        'Continue',
      );
      if (choice === 'Continue') return runPlan(services, plans, plan);
      return;
    }
    const message = services.log.redactor.redact(error.message);
    services.log.error(`Creating the parts of group ${plan.group} failed: ${message}`);
    const choice = await vscode.window.showErrorMessage(`${plainText(message, 400)}${kept}`, 'Continue', 'Show Log');
    if (choice === 'Continue') return runPlan(services, plans, plan);
    if (choice === 'Show Log') services.log.show();
    return;
  }
  await plans.remove(plan.key);
  vscode.window.setStatusBarMessage(`$(check) Created ${count(total)} batches from ${name}`, 5000);
  void vscode.window.showInformationMessage(
    `Created ${count(total)} batches from ${name} (group ${plainText(plan.group)}): the Batches view shows them as part 1/${total} to ${total}/${total}.`,
  );
}
