/**
 * A small, valid batch input file for the walkthrough's "create a batch" step: a few chat
 * completion requests, one JSON object per line, each with its own `custom_id`.
 */
export const SAMPLE_INPUT_FILENAME = 'sample-batch-requests.jsonl';

const QUESTIONS = [
  'Summarise the Batch API in one sentence.',
  'Give three uses for batch embeddings.',
  'Translate "good morning" into German, French and Spanish.',
];

/** The file's text: `/v1/chat/completions` requests to a small model, newline-terminated. */
export function sampleBatchInput(model = 'gpt-4o-mini'): string {
  return QUESTIONS.map((question, index) =>
    JSON.stringify({
      custom_id: `sample-${index + 1}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: {
        model,
        messages: [
          { role: 'system', content: 'You answer briefly.' },
          { role: 'user', content: question },
        ],
        max_tokens: 200,
      },
    }),
  )
    .map((line) => `${line}\n`)
    .join('');
}

/** `sample-batch-requests.jsonl`, then `sample-batch-requests-2.jsonl`… the first name `taken` does not hold. */
export function freeSampleName(taken: (name: string) => boolean): string {
  if (!taken(SAMPLE_INPUT_FILENAME)) return SAMPLE_INPUT_FILENAME;
  for (let n = 2; ; n++) {
    const name = SAMPLE_INPUT_FILENAME.replace(/\.jsonl$/, `-${n}.jsonl`);
    if (!taken(name)) return name;
  }
}
