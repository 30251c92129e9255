import * as assert from 'assert';
import * as vscode from 'vscode';

/**
 * Runs in a VS Code whose display language is German (code-server `--locale de`, with the
 * stand-in language pack of test/harness/language-pack-de): the contributions must come from
 * package.nls.de.json and `vscode.l10n.t` from l10n/bundle.l10n.de.json, falling back to English
 * for what is not translated.
 */
describe('locale de: the extension speaks German where it is translated', () => {
  const extension = vscode.extensions.getExtension('openai-batch-explorer.openai-batch-explorer');

  /** The host keeps a translated command title with its English original: `{ value, original }`. */
  type Localized = string | { value: string; original: string };
  interface Contributes {
    commands: { command: string; title: Localized; category?: Localized }[];
    views: Record<string, { id: string; name: string }[]>;
    walkthroughs: { id: string; title: string; steps: { id: string; title: string }[] }[];
  }
  const contributes = (): Contributes => (extension?.packageJSON as { contributes: Contributes }).contributes;
  const shown = (text: Localized | undefined): string | undefined => (typeof text === 'object' ? text.value : text);
  const command = (id: string) => contributes().commands.find((c) => c.command === id);
  const title = (id: string): string | undefined => shown(command(id)?.title);

  it('runs with German as the display language', () => {
    assert.equal(vscode.env.language, 'de');
    assert.ok(extension, 'the extension under test is not loaded');
  });

  it('uses package.nls.de.json for command titles, the view name and the walkthrough', () => {
    assert.equal(title('openaiBatches.refresh'), 'Aktualisieren');
    assert.deepEqual(command('openaiBatches.refresh')?.title, { value: 'Aktualisieren', original: 'Refresh' });
    assert.equal(title('openaiBatches.setApiKey'), 'API-Schlüssel festlegen…');
    assert.equal(title('openaiBatches.createBatch'), 'Batch aus JSONL-Datei erstellen…');
    assert.equal(contributes().views.openaiBatches.find((view) => view.id === 'openaiBatches.batches')?.name, 'Batch-Aufträge');
    const walkthrough = contributes().walkthroughs.find((w) => w.id === 'getStarted');
    assert.equal(walkthrough?.title, 'Erste Schritte mit OpenAI Batch Explorer');
    assert.equal(walkthrough?.steps.find((step) => step.id === 'connect')?.title, 'Anbieter auswählen und Schlüssel speichern');
  });

  it('falls back to package.nls.json for what German does not translate', () => {
    assert.equal(title('openaiBatches.copyInputFileId'), 'Copy Input File ID');
    assert.equal(shown(command('openaiBatches.refresh')?.category), 'OpenAI Batches');
  });

  it('loads l10n/bundle.l10n.de.json for vscode.l10n.t, arguments and English fallback included', async () => {
    // The test files live inside the extension under development, so this `vscode` is its API; its
    // bundle is read when the extension activates.
    await extension?.activate();
    assert.match(vscode.l10n.uri?.path ?? '', /\/l10n\/bundle\.l10n\.de\.json$/);
    assert.equal(vscode.l10n.t('Show Log'), 'Protokoll anzeigen');
    assert.equal(vscode.l10n.t('{0} loaded', 3), '3 geladen');
    assert.equal(
      vscode.l10n.t('$(key) API key saved for {0}', 'http://127.0.0.1:1/v1'),
      '$(key) API-Schlüssel gespeichert für http://127.0.0.1:1/v1',
    );
    assert.equal(vscode.l10n.t('A sentence with no translation'), 'A sentence with no translation');
  });
});
