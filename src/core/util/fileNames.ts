import { createHash } from 'node:crypto';

/** Longest id kept as it is in a file name; far below the 255 bytes file systems allow, with room for a suffix. */
const FILE_STEM_MAX = 100;

/**
 * Windows device names (`CON`, `NUL`, `COM1`…, with superscript digits too): a file named so,
 * with any extension (`nul.jsonl`, `COM1.tar.gz`), opens the device instead of a file.
 */
const RESERVED_DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])$/i;

/**
 * Whether `name` cannot be a file name on Windows: a device name before its first dot (spaces
 * before the dot are ignored, as Windows does), or a name ending in a dot or a space (Windows
 * drops them, so `a.` and `a` would be one file).
 */
export function isReservedFileName(name: string): boolean {
  const base = name.split('.', 1)[0].replace(/ +$/, '');
  return RESERVED_DEVICE.test(base) || /[. ]$/.test(name);
}

/**
 * A file name (stem and extension) safe on every file system we write to: path separators,
 * control and Windows-forbidden characters become `_`, trailing dots and spaces go, and a
 * Windows device name gets a `_` in front (`NUL.jsonl` → `_NUL.jsonl`). Never a path, `.`, `..`
 * or empty (then `fallback`). Every name built from API text (ids, file names) passes here.
 */
export function safeFileName(name: string, fallback = 'file'): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  let safe = name.replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_').replace(/[. ]+$/, '');
  if (!safe) safe = fallback;
  return isReservedFileName(safe) ? `_${safe}` : safe;
}

/**
 * An id (API text) as a file name stem: the id itself when it is short, made of safe characters
 * and no Windows device name (`file-abc123`), else its safe characters cut short plus a hash of
 * the whole id, so that long ids (LiteLLM's base64 ones, 200+ characters) fit a file system, two
 * ids that differ only in `+`, `/` or `=` never share a name, and `NUL` or `name.` never name a
 * file. Never a path, never `.` or `..`; any extension may follow it.
 */
export function fileStem(id: string): string {
  if (id.length <= FILE_STEM_MAX && /^[\w-][\w.-]*$/.test(id) && !isReservedFileName(id)) return id;
  const readable = id
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return readable ? safeFileName(`${readable}-${hash}`) : hash;
}
