import * as vscode from 'vscode';
import { batchFiles, fileIdOf, type FileRole } from '../core/batches/batchFacts';
import { batchDescription, batchLabel, compareNewestFirst, countsOf, humanizeStatus } from '../core/batches/batchDisplay';
import { relativeTime, unixSeconds } from '../core/util/time';
import { escapeMarkdown, ID_HOVER_MAX, ID_MAX, markdownCode, plainText } from '../core/util/text';
import { statusOf } from '../core/batches/grouping';
import type { Batch } from '../core/api/types';
import { CommandId, CONFIG_SECTION } from '../ids';
import { ID_PATTERN, IdLookup, type LookupAccount } from './idLookup';

function enabled(): boolean {
  return vscode.workspace.getConfiguration(CONFIG_SECTION).get<boolean>('editorIntegration', true);
}

/** A link to one of the extension's own commands with the batch id (and, with several accounts, its account) as its only argument. */
function commandLink(title: string, command: string, id: string, accountId?: string): string {
  // encodeURIComponent leaves `(`, `)` and `'` as they are; a `)` in an id would end the link early.
  const args = encodeURIComponent(JSON.stringify([accountId ? { id, accountId } : id])).replace(
    /[()']/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `[${title}](command:${command}?${args})`;
}

/** Hover on a batch or file id in any editor: status, counts, age and actions. */
class IdHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly lookup: IdLookup,
    private readonly multiple: () => boolean,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!enabled()) return undefined;
    const range = document.getWordRangeAtPosition(position, ID_PATTERN);
    if (!range) return undefined;
    const id = document.getText(range);
    let batch: Batch | undefined;
    let role: FileRole | undefined;
    let accountId: string | undefined;
    if (id.startsWith('batch_')) ({ batch, accountId } = (await this.lookup.batch(id)) ?? {});
    else ({ batch, role, accountId } = this.lookup.findFile(id) ?? {});
    if (!batch) return undefined;
    // With one account the links carry the id alone, as they always did.
    if (!this.multiple()) accountId = undefined;

    // Every API value below is escaped, and there are no theme icons: the only links are the command links built here.
    const md = new vscode.MarkdownString();
    md.isTrusted = { enabledCommands: [CommandId.openBatch, CommandId.copyBatchId, CommandId.copyOutputFileId, CommandId.openOutputFile] };
    md.supportHtml = false;
    md.appendMarkdown(`**${escapeMarkdown(batchLabel(batch))}** — ${escapeMarkdown(humanizeStatus(statusOf(batch)))}`);
    if (role) md.appendMarkdown(' · ' + vscode.l10n.t('{0} file of {1}', role, markdownCode(batch.id, ID_HOVER_MAX)));
    md.appendMarkdown('\n\n');
    const facts = [escapeMarkdown(batchDescription(batch))];
    if (batch.request_counts) {
      const counts = countsOf(batch);
      facts.push(vscode.l10n.t('{0} completed, {1} failed of {2}', counts.completed, counts.failed, counts.total));
    }
    const created = unixSeconds(batch.created_at);
    if (created !== undefined) facts.push(vscode.l10n.t('created {0}', relativeTime(created)));
    md.appendMarkdown(facts.filter(Boolean).join(' · ') + '\n\n');
    const links = [
      commandLink(vscode.l10n.t('Open details'), CommandId.openBatch, batch.id, accountId),
      commandLink(vscode.l10n.t('Copy batch ID'), CommandId.copyBatchId, batch.id, accountId),
    ];
    if (fileIdOf(batch, 'output'))
      links.push(
        commandLink(vscode.l10n.t('Copy output file ID'), CommandId.copyOutputFileId, batch.id, accountId),
        commandLink(vscode.l10n.t('Open output'), CommandId.openOutputFile, batch.id, accountId),
      );
    md.appendMarkdown(links.join(' · '));
    return new vscode.Hover(md, range);
  }
}

/** Completes `batch_…` and `file-…` with the loaded ids of every account, most recent first. */
class IdCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly accounts: () => readonly LookupAccount[]) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] | undefined {
    if (!enabled()) return undefined;
    const before = document.lineAt(position.line).text.slice(0, position.character);
    const match = /(batch_|file-)[A-Za-z0-9]*$/.exec(before);
    if (!match) return undefined;
    const range = new vscode.Range(position.line, position.character - match[0].length, position.line, position.character);
    const batches = this.accounts()
      .flatMap(({ store }) => store.batches)
      .sort(compareNewestFirst);
    const items: vscode.CompletionItem[] = [];
    const add = (id: string, detail: string, documentation: string, rank: number): void => {
      // The label is shown (and may render icons); what is inserted and filtered on is the id itself.
      const item = new vscode.CompletionItem(plainText(id, ID_MAX), vscode.CompletionItemKind.Value);
      item.insertText = id;
      item.filterText = id;
      item.range = range;
      item.detail = detail;
      item.documentation = documentation;
      item.sortText = String(rank).padStart(6, '0');
      items.push(item);
    };
    batches.forEach((batch, rank) => {
      const status = humanizeStatus(statusOf(batch));
      if (match[1] === 'batch_') add(batch.id, `${status} · ${batchLabel(batch)}`, batchDescription(batch), rank);
      else {
        for (const { role, id } of batchFiles(batch)) {
          if (id.startsWith('file-'))
            add(id, vscode.l10n.t('{0} file · {1}', role, batchLabel(batch)), `${status} · ${plainText(batch.id, ID_MAX)}`, rank);
        }
      }
    });
    return items;
  }
}

/** The accounts hover and completion search (the account registry). */
export interface IdSource {
  readonly accounts: readonly LookupAccount[];
  readonly multiple: boolean;
  readonly onDidChangeAnyStore: vscode.Event<void>;
}

/** Registers hover and completion for every language (ids appear in Python, TS, shell, notebooks…). */
export function registerIdProviders(source: IdSource): vscode.Disposable {
  const accounts = (): readonly LookupAccount[] => source.accounts;
  const lookup = new IdLookup(accounts);
  const selector: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-notebook-cell' }];
  const signature = (): string => source.accounts.map(({ id, store }) => `${id}:${store.account ?? store.state.kind}`).join(',');
  let connected = signature();
  return vscode.Disposable.from(
    vscode.languages.registerHoverProvider(selector, new IdHoverProvider(lookup, () => source.multiple)),
    vscode.languages.registerCompletionItemProvider(selector, new IdCompletionProvider(accounts), '_', '-'),
    // What was fetched belongs to the accounts connected then: forgotten when any of them changes.
    source.onDidChangeAnyStore(() => {
      const now = signature();
      if (now !== connected) lookup.clear();
      connected = now;
    }),
  );
}
