/** Built once: relativeTime runs for every node of a large tree. */
const RELATIVE_SIZES = [60 * 60 * 24 * 365, 60 * 60 * 24 * 30, 60 * 60 * 24 * 7, 60 * 60 * 24, 60 * 60, 60];
const RELATIVE_NAMES = ['year', 'month', 'week', 'day', 'hour', 'minute'];

/**
 * The texts already made, by unit, count and direction: a tree of thousands of batches has only a
 * few dozen distinct ages. Bounded, so far-off times (thousands of years) are made each time.
 */
const relativeTexts = new Map<number, string>();
const MAX_RELATIVE_TEXTS = 512;

/** `5 minutes ago`, `in 3 hours`; times are unix seconds. */
export function relativeTime(unixSeconds: number, nowMs = Date.now()): string {
  const deltaSeconds = Math.round(unixSeconds - nowMs / 1000);
  const abs = Math.abs(deltaSeconds);
  if (abs < 45) return 'just now';
  let unit = RELATIVE_SIZES.findIndex((size) => abs >= size);
  let count: number;
  if (unit >= 0) {
    count = Math.round(abs / RELATIVE_SIZES[unit]);
  } else {
    unit = RELATIVE_SIZES.length - 1;
    count = 1;
  }
  const key = (count * RELATIVE_SIZES.length + unit) * (deltaSeconds < 0 ? -1 : 1);
  let text = relativeTexts.get(key);
  if (text === undefined) {
    const amount = `${count} ${RELATIVE_NAMES[unit]}${count === 1 ? '' : 's'}`;
    text = deltaSeconds < 0 ? `${amount} ago` : `in ${amount}`;
    if (relativeTexts.size < MAX_RELATIVE_TEXTS) relativeTexts.set(key, text);
  }
  return text;
}

/** Above this a number cannot be unix seconds (it would be after the year 5000): it is milliseconds. */
const MILLISECONDS_FROM = 1e11;

/** Timestamps before 2000 are not batch times: a 0, a small count or a day number sent in a time field. */
const EARLIEST_SECONDS = 946_684_800;

// The last second `Date` can represent.
const LATEST_SECONDS = 8.64e12;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A timestamp as unix seconds, whatever a provider sent: unix seconds (OpenAI), milliseconds,
 * a numeric string, or an ISO-8601 string (some compatible servers). Anything else, and times
 * before 2000 or beyond what a Date can hold, is undefined: never 1970, never NaN.
 */
export function unixSeconds(value: unknown): number | undefined {
  let seconds: number | undefined;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d+(?:\.\d+)?$/.test(text)) seconds = Number(text);
    else if (ISO_DATE.test(text)) {
      // A date-time without an offset is read as UTC, as the API's own times are.
      const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) || !text.includes(':') ? text : `${text}Z`;
      seconds = Date.parse(withZone.replace(' ', 'T')) / 1000;
    }
  }
  if (seconds === undefined || !Number.isFinite(seconds)) return undefined;
  if (seconds >= MILLISECONDS_FROM) seconds /= 1000;
  return seconds >= EARLIEST_SECONDS && seconds <= LATEST_SECONDS ? seconds : undefined;
}

/** ISO-like UTC time for tooltips and the detail panel, or undefined when not a valid timestamp (see {@link unixSeconds}). */
export function formatTimestamp(value: unknown): string | undefined {
  const seconds = unixSeconds(value);
  if (seconds === undefined) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  // getUTC* and padding, not toISOString + replace: this runs for every node of large trees.
  const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}
