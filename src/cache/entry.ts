import type { TrawlRecord } from "../record.js";
import { readFully } from "./file-window.js";
import {
  decodeEntryPayload,
  encodeEntryPayload,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FrameKind,
  MAX_PAYLOAD_BYTES,
  payloadIntact,
  readFrameHeader,
} from "./frame.js";
import type { StoredPolicy } from "./validators.js";

/** The part of an entry read on every lookup. */
export interface EntryMeta {
  /** The URL stored under: a 64-bit hash collision reads as a miss, never as another URL's record. */
  url: string;
  fingerprint: string;
  /** The URL that gave the stored response, after redirects. */
  finalUrl: string;
  policy: StoredPolicy;
}

/** An entry read back: its meta parsed, its body (record and links) still JSON text. */
export interface StoredEntry {
  meta: EntryMeta;
  bodyJson: string;
}

/** What a 304 brings back from the cache. */
export interface CachedPage {
  record: TrawlRecord;
  links: unknown[] | null;
}

/** The ENTRY frame for a URL's meta and body, or null when it is too large to keep. */
export function entryFrame(high: number, low: number, seenAtSeconds: number, meta: EntryMeta, bodyJson: string): Buffer | null {
  const payload = encodeEntryPayload(JSON.stringify(meta), bodyJson);
  if (payload.length > MAX_PAYLOAD_BYTES) return null;
  return encodeFrame(FrameKind.entry, high, low, seenAtSeconds, payload);
}

/**
 * Reads the ENTRY frame of `bytes` bytes at `offset` and checks it whole: header checksum, the
 * expected hash, payload checksum, meta shape. Null for anything else: damage reads as a miss.
 * `scratch`, when large enough, takes the bytes (nothing of it is kept: the entry is text).
 */
export function readEntry(fd: number, offset: number, bytes: number, high: number, low: number, scratch?: Buffer): StoredEntry | null {
  const frame = scratch !== undefined && scratch.length >= bytes ? scratch : Buffer.allocUnsafe(bytes);
  try {
    readFully(fd, frame, bytes, offset);
  } catch {
    return null; // the file is shorter than the index says: changed behind our back
  }
  const header = readFrameHeader(frame, 0);
  if (header === null || header.kind !== FrameKind.entry || header.high !== high || header.low !== low) return null;
  const payload = frame.subarray(FRAME_HEADER_BYTES, bytes);
  if (!payloadIntact(header, payload)) return null;
  const parts = decodeEntryPayload(payload);
  if (parts === null) return null;
  try {
    const meta = JSON.parse(parts.metaJson) as EntryMeta;
    const whole = typeof meta.url === "string" && typeof meta.finalUrl === "string" && typeof meta.fingerprint === "string";
    return whole ? { meta, bodyJson: parts.bodyJson } : null;
  } catch {
    return null;
  }
}

/** The record and links of an entry's body, or null when they are not what `store` wrote. */
export function parsePage(bodyJson: string): CachedPage | null {
  try {
    const body = JSON.parse(bodyJson) as { record?: unknown; links?: unknown };
    if (body.record === null || typeof body.record !== "object") return null;
    return { record: body.record as TrawlRecord, links: Array.isArray(body.links) ? body.links : null };
  } catch {
    return null;
  }
}
