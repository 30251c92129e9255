/**
 * Uploads: `POST /files` with a multipart/form-data body (purpose, file, and an optional
 * `expires_after[anchor]`/`expires_after[seconds]`), checked as OpenAI checks it, then added to
 * the file store. The body is read up to OpenAI's 200 MB limit for batch input files.
 */
import type * as http from 'node:http';
import { addFile, MAX_UPLOAD_BYTES } from './files';
import { clip, errorReply, header, type JsonReply, parseExpiresAfter, readBody } from './http';
import type { AccountState } from './state';
import type { LoggedRequest } from './types';

const FILE_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'];

interface MultipartPart {
  name: string;
  filename?: string;
  data: Buffer;
}

/** Enough of RFC 7578 for what HTTP clients send: parts separated by the boundary, each with a Content-Disposition. */
function parseMultipart(body: Buffer, boundary: string): MultipartPart[] | null {
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) return null;
  const parts: MultipartPart[] = [];
  for (;;) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts;
    const lineEnd = body.indexOf('\r\n', pos);
    if (lineEnd < 0) return null;
    const headerEnd = body.indexOf('\r\n\r\n', lineEnd);
    if (headerEnd < 0) return null;
    const end = body.indexOf(nextDelimiter, headerEnd + 4);
    if (end < 0) return null;
    const headers = body.subarray(lineEnd + 2, headerEnd).toString('utf8');
    const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) parts.push({ name, filename, data: body.subarray(headerEnd + 4, end) });
    pos = end + 2;
  }
}

export async function uploadFile(state: AccountState, req: http.IncomingMessage, entry: LoggedRequest): Promise<JsonReply> {
  const contentType = header(req, 'content-type') ?? '';
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !boundary) {
    return errorReply(400, `Invalid Content-Type header (${clip(contentType || 'none', 60)}), expected multipart/form-data.`);
  }
  const body = await readBody(req, MAX_UPLOAD_BYTES + 64 * 1024);
  if (body === null)
    return errorReply(413, 'File is too large. The maximum size for batch input files is 200 MB.', {
      param: 'file',
      headers: { connection: 'close' },
    });
  const parts = parseMultipart(body, boundary[1] ?? boundary[2]);
  if (!parts) return errorReply(400, 'Could not parse the multipart/form-data body.');
  entry.body = Object.fromEntries(
    parts.map((part) => [
      part.name,
      part.filename !== undefined ? { filename: part.filename, bytes: part.data.length } : part.data.toString('utf8'),
    ]),
  );
  const purpose = parts
    .find((p) => p.name === 'purpose')
    ?.data.toString('utf8')
    .trim();
  const filePart = parts.find((p) => p.name === 'file');
  if (!purpose) return errorReply(400, "Missing required parameter: 'purpose'.", { param: 'purpose', code: 'missing_required_parameter' });
  if (!FILE_PURPOSES.includes(purpose)) {
    return errorReply(400, `'${clip(purpose, 40)}' is not one of [${FILE_PURPOSES.map((p) => `'${p}'`).join(', ')}] - 'purpose'`, {
      param: 'purpose',
      code: 'invalid_value',
    });
  }
  if (!filePart) return errorReply(400, "Missing required parameter: 'file'.", { param: 'file', code: 'missing_required_parameter' });
  const filename = filePart.filename || 'upload';
  if (purpose === 'batch' && !filename.toLowerCase().endsWith('.jsonl')) {
    return errorReply(400, 'Invalid file format for Batch API. Must be .jsonl', { param: 'file' });
  }
  // Multipart spells the object as `expires_after[anchor]` and `expires_after[seconds]` (how the SDKs send it).
  const field = (name: string): string | undefined =>
    parts
      .find((p) => p.name === name)
      ?.data.toString('utf8')
      .trim();
  const anchor = field('expires_after[anchor]');
  const seconds = field('expires_after[seconds]');
  let expiresAt: number | undefined;
  if (anchor !== undefined || seconds !== undefined) {
    const policy = parseExpiresAfter(
      { anchor, seconds: seconds !== undefined && /^-?\d+$/.test(seconds) ? Number(seconds) : seconds },
      'expires_after',
    );
    if (!('seconds' in policy)) return policy;
    expiresAt = Math.floor(state.nowSeconds) + policy.seconds;
  }
  // Copy out of the request body so the rest of it can be garbage-collected.
  const added = addFile(state, { filename, purpose, content: Buffer.from(filePart.data), expiresAt });
  return { status: 200, json: added.object };
}
