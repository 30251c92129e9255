import * as vscode from 'vscode';
import { mcpConfigSnippet } from '../../lm/mcpServerProvider';
import type { Services } from '../services';
import { accountTitle } from './apiKeyCommands';

/**
 * `openaiBatches.copyMcpConfig`: copies the MCP server config of the account (its base URL,
 * organization, project, headers) for another editor, with the key as `${env:OPENAI_API_KEY}`.
 */
export async function copyMcpConfig({ connection, log, mcpScript }: Pick<Services, 'connection' | 'log' | 'mcpScript'>): Promise<void> {
  const account = connection.settings;
  await vscode.env.clipboard.writeText(mcpConfigSnippet(account, mcpScript));
  log.info(`Copied the MCP server config for ${accountTitle(account)}.`);
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Copied the MCP server config for {0}. The key is not in it: the editor reads it from the OPENAI_API_KEY environment variable.',
      accountTitle(account),
    ),
  );
}
