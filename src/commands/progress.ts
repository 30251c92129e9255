import * as vscode from 'vscode';
import { isCancellation } from '../core/api/errors';

/**
 * Runs a step under a cancellable notification progress, with an AbortSignal for the step.
 * Resolves undefined when it was cancelled; other failures are rethrown.
 */
export async function withCancellableProgress<T>(
  title: string,
  task: (report: (message: string) => void, signal: AbortSignal) => Promise<T>,
): Promise<T | undefined> {
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token): Promise<T> => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          return await task((message) => progress.report({ message }), controller.signal);
        } finally {
          subscription.dispose();
        }
      },
    );
  } catch (error) {
    if (isCancellation(error) || (error instanceof Error && error.name === 'AbortError')) return undefined;
    throw error;
  }
}
