/** Ids longer than this are shortened in labels (some providers' ids have 200+ characters). */
export const ID_LABEL_MAX = 40;

/** How much of a long id's start a label keeps; the rest of the room goes to its end. */
const ID_LABEL_HEAD = 8;

/**
 * An id short enough for a label: a long one keeps a little of its start and mostly its end,
 * because ids that encode routing facts (LiteLLM's base64 ids) begin alike and differ at the end,
 * and a narrow view shows only a label's beginning. Hovers and copies keep the whole id.
 */
export function shortId(id: unknown, max = ID_LABEL_MAX): string {
  const text = typeof id === 'string' ? id : '';
  if (text.length <= max) return text;
  const head = Math.min(ID_LABEL_HEAD, Math.floor((max - 1) / 2));
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}

// Control, bidi and zero-width characters, or whitespace other than single inner spaces.
// eslint-disable-next-line no-control-regex
const NEEDS_CLEANING = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]|[^\S ]| {2}|^ | $/;

// eslint-disable-next-line no-control-regex
const UNSEEN_RUNS = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** Collapses whitespace and control/bidi characters and cuts long strings, for one-line UI labels. */
export function singleLine(text: string, max = 120): string {
  // Most API strings are already clean; skip the two replaces for them (hot in large trees).
  const flat = NEEDS_CLEANING.test(text) ? text.replace(UNSEEN_RUNS, ' ').replace(/\s+/g, ' ').trim() : text;
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Ids are shown whole up to this length in messages (some providers' ids have 200+ characters). */
export const ID_MAX = 300;

/** Hovers have room for more: an id is shown whole up to this length there. */
export const ID_HOVER_MAX = 1000;

// WORD JOINER: as invisible as a zero-width space, but not among the characters singleLine
// removes, so plainText(plainText(x)) === plainText(x) and composed messages stay unchanged.
const LINK_BREAK = '\u2060';

/**
 * Text from the API or a file, made safe for every surface that parses links or icons:
 * notifications and progress titles (`[label](command:…)` becomes a link there), the
 * status bar, quick picks and tree labels (`$(icon)` becomes an icon). One line, cut at
 * `max`, control and bidi characters removed; an invisible word joiner after `]` and `$`
 * breaks the link and icon syntax while the text reads the same. It also follows a `]` or
 * `$` that ends the text, since the next part of a message could begin with `(`. Markdown
 * (hovers, tooltips) uses {@link markdownText} instead.
 */
export function plainText(text: unknown, max = 200): string {
  const value = typeof text === 'string' ? text : typeof text === 'number' || typeof text === 'boolean' ? String(text) : '';
  const line = singleLine(value, max);
  // Most API strings hold neither character; the regular expression is the costly part in large trees.
  return line.includes(']') || line.includes('$') ? line.replace(/[\]$](?=\s*(?:\(|$))/g, `$&${LINK_BREAK}`) : line;
}

// `:` and `@` too: GFM turns bare `https://…`, `www.…` and e-mail addresses into links.
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>&~:@]/g;

/** Escapes text for a Markdown tooltip so API strings can never become links, images, HTML or formatting. */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SPECIAL, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : `\\${ch}`));
}

/** API text as one escaped Markdown line (see {@link plainText}). */
export function markdownText(text: unknown, max = 200): string {
  return escapeMarkdown(plainText(text, max));
}

/**
 * API text (an id) as a Markdown code span. One line, no backticks: a code span that a newline
 * or a backtick ended early would let the rest render as Markdown.
 */
export function markdownCode(text: unknown, max = ID_MAX): string {
  return `\`${plainText(text, max).replace(/`/g, "'")}\``;
}

/** `12.3 MB` style sizes for progress messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** `text` ending in a full stop, unless it already ends a sentence (`.`, `!`, `?`, `…`, maybe inside quotes or brackets). */
export function asSentence(text: string): string {
  const trimmed = text.trimEnd();
  return !trimmed || /[.!?…]["'”’)\]]*$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
