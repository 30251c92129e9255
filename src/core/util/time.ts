/** Built once: relativeTime runs for every node of a large tree. */
const RELATIVE_UNITS: readonly (readonly [number, string])[] = [
  [60 * 60 * 24 * 365, 'year'],
  [60 * 60 * 24 * 30, 'month'],
  [60 * 60 * 24 * 7, 'week'],
  [60 * 60 * 24, 'day'],
  [60 * 60, 'hour'],
  [60, 'minute'],
];

/** `5 minutes ago`, `in 3 hours`; times are unix seconds. */
export function relativeTime(unixSeconds: number, nowMs = Date.now()): string {
  const deltaSeconds = Math.round(unixSeconds - nowMs / 1000);
  const abs = Math.abs(deltaSeconds);
  if (abs < 45) return 'just now';
  for (const [size, name] of RELATIVE_UNITS) {
    if (abs >= size) {
      const count = Math.round(abs / size);
      const text = `${count} ${name}${count === 1 ? '' : 's'}`;
      return deltaSeconds < 0 ? `${text} ago` : `in ${text}`;
    }
  }
  const minutes = Math.max(1, Math.round(abs / 60));
  return deltaSeconds < 0 ? `${minutes} minute${minutes === 1 ? '' : 's'} ago` : `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
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
