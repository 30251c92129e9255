import { createHash } from 'node:crypto';

/** Longest id kept as it is in a file name; far below the 255 bytes file systems allow, with room for a suffix. */
const FILE_STEM_MAX = 100;

/**
 * An id (API text) as a file name stem: the id itself when it is short and made of safe
 * characters (`file-abc123`), else its safe characters cut short plus a hash of the whole id,
 * so that long ids (LiteLLM's base64 ones, 200+ characters) fit a file system and two ids that
 * differ only in `+`, `/` or `=` never share a name. Never a path, never `.` or `..`.
 */
export function fileStem(id: string): string {
  if (id.length <= FILE_STEM_MAX && /^[\w-][\w.-]*$/.test(id)) return id;
  const readable = id
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return readable ? `${readable}-${hash}` : hash;
}
