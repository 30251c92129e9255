import { ApiError } from './errors';
import { formatBytes } from '../util/text';

/**
 * What an automatic read (error grouping, cost, progress, the agent tools) may download without
 * a click: a server whose body never ends, or whose file record lies, costs at most this.
 */
export const AUTOMATIC_READ_CEILING_BYTES = 64 * 1024 ** 2;

/**
 * The most a download the user asked for may write when neither the file record nor a
 * Content-Length says how large it is. A batch holds at most 50,000 requests (100,000 on Azure),
 * so this leaves over 200 KB per result line, more than real output files need, while a server
 * that never stops cannot fill a disk unnoticed.
 */
export const USER_DOWNLOAD_CEILING_BYTES = 20 * 1024 ** 3;

/**
 * How far past its record's `bytes` a body may go: a little, in case a provider counts its
 * stored file slightly differently from what it sends, never enough to matter on a disk.
 */
export function recordMarginBytes(recordBytes: number): number {
  return 4096 + Math.ceil(recordBytes / 100);
}

/**
 * The size limit every read of a file's content names; there is no default. The body may not go
 * past the record's `bytes` plus {@link recordMarginBytes} when the record is known, nor ever past
 * `ceilingBytes` ({@link AUTOMATIC_READ_CEILING_BYTES} for reads nobody clicked for).
 */
export interface SizeLimit {
  /** `bytes` of the file's record (`GET /files/{id}`, the Files list), or null/undefined when not known. */
  recordBytes: number | null | undefined;
  ceilingBytes: number;
}

/** The most a body read under `limit` may be, in bytes. */
export function allowedBytes(limit: SizeLimit): number {
  const record = knownBytes(limit.recordBytes);
  return Math.min(limit.ceilingBytes, record === undefined ? Infinity : record + recordMarginBytes(record));
}

function knownBytes(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * A body that went (or was announced to go) past its {@link SizeLimit}. `overCeiling` says the
 * caller's ceiling, not the record, stopped it: asking the person to allow more makes sense then.
 */
export class TooLargeError extends ApiError {
  constructor(
    message: string,
    readonly overCeiling: boolean,
    readonly ceilingBytes: number,
  ) {
    super('badResponse', message);
  }
}

/** Explains which limit stopped the read of `fileId`, with the sizes: what arrived (or was announced), what the record says, what is allowed. */
export function tooLarge(fileId: string, limit: SizeLimit, seen: { received?: number; announced?: number }): TooLargeError {
  const record = knownBytes(limit.recordBytes);
  const allowed = allowedBytes(limit);
  const overCeiling = record === undefined || record + recordMarginBytes(record) > limit.ceilingBytes;
  const what =
    seen.announced !== undefined
      ? `The server announced ${bytesText(seen.announced)} for ${fileId}`
      : `The download of ${fileId} was stopped once ${bytesText(seen.received ?? 0)} had arrived`;
  const asked = limit.ceilingBytes === AUTOMATIC_READ_CEILING_BYTES ? ' without asking' : '';
  const why = overCeiling
    ? `${record === undefined ? 'its size is not known' : `its file record says ${bytesText(record)}`}, and at most ${formatBytes(limit.ceilingBytes)} is read${asked}`
    : `its file record says ${bytesText(record)}, and at most ${bytesText(allowed)} is read for it`;
  return new TooLargeError(`${what}: ${why}. Nothing was kept.`, overCeiling, limit.ceilingBytes);
}

/** `4.9 KB (5,005 bytes)`: rounded for reading, exact for comparing. */
function bytesText(bytes: number): string {
  return `${formatBytes(bytes)} (${bytes.toLocaleString('en-US')} bytes)`;
}

/** The limit of a download the user asked for: its record's size when known, else what the server announces. */
export function userDownloadLimit(recordBytes?: number | null): SizeLimit {
  return { recordBytes, ceilingBytes: USER_DOWNLOAD_CEILING_BYTES };
}

/** The limit of a read nobody clicked for: its record's size when known, never past {@link AUTOMATIC_READ_CEILING_BYTES}. */
export function automaticReadLimit(recordBytes: number | null | undefined): SizeLimit {
  return { recordBytes, ceilingBytes: AUTOMATIC_READ_CEILING_BYTES };
}
