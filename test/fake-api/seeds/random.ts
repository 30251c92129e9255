/**
 * Deterministic randomness for the fake's seed data and file contents: a seeded generator, a
 * string hash for per-batch and per-line seeds, and ids shaped like the API's. The same seed
 * always gives the same values, so tests, screenshots and benchmarks are reproducible.
 */
import type { Batch } from '../../../src/core/api/types';

export type Rng = () => number;

/** mulberry32: tiny, fast, and good enough to make data look varied. Returns floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to derive per-batch / per-line seeds from ids. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const HEX_CODES = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
const BASE62_CODES = [...BASE62].map((c) => c.charCodeAt(0));

// Built from char codes in one go: string concatenation per character made generating 10,000 batches GC-bound.
export function randomHex(rng: Rng, length: number): string {
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = HEX_CODES[Math.floor(rng() * 16)];
  return String.fromCharCode(...codes);
}

export function randomBase62(rng: Rng, length: number): string {
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = BASE62_CODES[Math.floor(rng() * 62)];
  return String.fromCharCode(...codes);
}

export function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

export function weighted<T>(rng: Rng, table: ReadonlyArray<readonly [T, number]>): T {
  const sum = table.reduce((s, [, w]) => s + w, 0);
  let r = rng() * sum;
  for (const [value, w] of table) {
    r -= w;
    if (r < 0) return value;
  }
  return table[table.length - 1][0];
}

/** Real batch ids start with the creation time in hex, then `8190` after four more digits. */
export function batchIdFor(rng: Rng, createdAt: number): string {
  const time = (createdAt >>> 0).toString(16).padStart(8, '0').slice(-8);
  return `batch_${time}${randomHex(rng, 4)}8190${randomHex(rng, 16)}`;
}

export function fileIdFor(rng: Rng): string {
  return `file-${randomBase62(rng, 22)}`;
}

export function compareNewestFirst(a: Batch, b: Batch): number {
  const byTime = (b.created_at ?? 0) - (a.created_at ?? 0);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
