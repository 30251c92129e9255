import { asSentence, plainText } from '../util/text';

/**
 * What a split's toast says when creating its parts stopped (`stop`: the failure, as API text),
 * in whole sentences: `Part 1 of 3: … injected fault. Part 1 was created and is kept.`. Parts are
 * created in order, so the first `created` are the ones kept.
 */
export function splitStoppedText(stop: string, created: number): string {
  return [asSentence(plainText(stop, 400)), partsKeptSentence(created)].filter(Boolean).join(' ');
}

/** `Part 1 was created and is kept.`, `Parts 1–3 were created and are kept.`; empty when none was. */
export function partsKeptSentence(created: number): string {
  if (created <= 0) return '';
  return created === 1 ? 'Part 1 was created and is kept.' : `Parts 1–${created} were created and are kept.`;
}
