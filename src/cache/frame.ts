import zlib from "node:zlib";

/**
 * The cache file's byte layout: a 16-byte file header, then frames appended one after another.
 * Every frame carries its own length and checksums, so a reader knows where each one ends and
 * whether it is whole: a frame cut short by `kill -9` (the file ends inside it) or damaged (its
 * header checksum fails) ends the usable part of the file, and everything before it is kept.
 *
 *     file header  "trawl-cache\n" (12 bytes ASCII) · u32 format version
 *     frame header u32 payload bytes · u8 kind · 3 zero bytes · u32 hash high · u32 hash low ·
 *                  u32 seen at (s since the epoch) · u32 zero · u32 CRC-32 of the payload ·
 *                  u32 CRC-32 of the 28 header bytes before it
 *     payload      ENTRY: u32 meta bytes · meta JSON · body JSON;  SEEN: (u32 high, u32 low) pairs;
 *                  REMOVE: empty
 *
 * All numbers little-endian: the file moves between machines in CI's cache step.
 */

/** What a file starts with: text, so `head` shows what the file is. */
export const SIGNATURE = Buffer.from("trawl-cache\n", "latin1");
/** Bumped whenever the layout or the meaning of a frame changes; another number means a fresh cache. */
export const FORMAT_VERSION = 1;
export const FILE_HEADER_BYTES = 16;
export const FRAME_HEADER_BYTES = 32;
/**
 * The largest payload written or believed. A record with many items can be megabytes; past this a
 * page is not cached (it is fetched in full next time) rather than read back in one buffer.
 */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

export const FrameKind = {
  /** One URL's validators, record and links; supersedes any earlier ENTRY for the same URL. */
  entry: 1,
  /** A batch of URL hashes seen at the frame's time (touches, written in batches). */
  seen: 2,
  /** The URL's entry is gone (its page changed into something that may not be cached). */
  remove: 3,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** A frame header as read back. */
export interface FrameHeader {
  payloadBytes: number;
  kind: number;
  high: number;
  low: number;
  seenAtSeconds: number;
  payloadCrc: number;
}

/** The file header of the current format. */
export function fileHeader(): Buffer {
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, SIGNATURE.length);
  return header;
}

/** Writes a frame header for `payload` at `target[at]`. */
export function writeFrameHeader(
  target: Buffer,
  at: number,
  kind: FrameKind,
  high: number,
  low: number,
  seenAtSeconds: number,
  payload: Uint8Array,
): void {
  target.fill(0, at, at + FRAME_HEADER_BYTES);
  target.writeUInt32LE(payload.length, at);
  target.writeUInt8(kind, at + 4);
  target.writeUInt32LE(high, at + 8);
  target.writeUInt32LE(low, at + 12);
  target.writeUInt32LE(seenAtSeconds, at + 16);
  target.writeUInt32LE(zlib.crc32(payload), at + 24);
  target.writeUInt32LE(zlib.crc32(target.subarray(at, at + 28)), at + 28);
}

/** A whole frame (header and payload) in one buffer, so one write puts it in the file. */
export function encodeFrame(kind: FrameKind, high: number, low: number, seenAtSeconds: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, 0, kind, high, low, seenAtSeconds, payload);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Rewrites the seen-at time of a frame header in place (compaction carries touches into it). */
export function restampFrameHeader(target: Buffer, at: number, seenAtSeconds: number): void {
  target.writeUInt32LE(seenAtSeconds, at + 16);
  target.writeUInt32LE(zlib.crc32(target.subarray(at, at + 28)), at + 28);
}

/** Reads the frame header at `source[at]`, or null when its checksum or its fields are wrong. */
export function readFrameHeader(source: Buffer, at: number): FrameHeader | null {
  const headerCrc = source.readUInt32LE(at + 28);
  if (zlib.crc32(source.subarray(at, at + 28)) !== headerCrc) return null;
  const header: FrameHeader = {
    payloadBytes: source.readUInt32LE(at),
    kind: source.readUInt8(at + 4),
    high: source.readUInt32LE(at + 8),
    low: source.readUInt32LE(at + 12),
    seenAtSeconds: source.readUInt32LE(at + 16),
    payloadCrc: source.readUInt32LE(at + 24),
  };
  const known = header.kind === FrameKind.entry || header.kind === FrameKind.seen || header.kind === FrameKind.remove;
  return known && header.payloadBytes <= MAX_PAYLOAD_BYTES ? header : null;
}

/** True when `payload` is what the header's checksum says it is. */
export function payloadIntact(header: FrameHeader, payload: Uint8Array): boolean {
  return payload.length === header.payloadBytes && zlib.crc32(payload) === header.payloadCrc;
}

/** The payload of an ENTRY frame: a small meta part read on every lookup, and the body. */
export function encodeEntryPayload(metaJson: string, bodyJson: string): Buffer {
  const metaBytes = Buffer.byteLength(metaJson);
  const payload = Buffer.allocUnsafe(4 + metaBytes + Buffer.byteLength(bodyJson));
  payload.writeUInt32LE(metaBytes, 0);
  payload.write(metaJson, 4);
  payload.write(bodyJson, 4 + metaBytes);
  return payload;
}

/** Splits an ENTRY payload back into its meta and body JSON texts; null when the split is impossible. */
export function decodeEntryPayload(payload: Buffer): { metaJson: string; bodyJson: string } | null {
  if (payload.length < 4) return null;
  const metaBytes = payload.readUInt32LE(0);
  if (4 + metaBytes > payload.length) return null;
  return {
    metaJson: payload.toString("utf8", 4, 4 + metaBytes),
    bodyJson: payload.toString("utf8", 4 + metaBytes),
  };
}

/** A SEEN payload: the first `pairs` (high, low) hash pairs of `hashes`. */
export function encodeSeenPayload(hashes: Uint32Array, pairs: number): Buffer {
  const payload = Buffer.allocUnsafe(pairs * 8);
  for (let i = 0; i < pairs * 2; i++) payload.writeUInt32LE(hashes[i] as number, i * 4);
  return payload;
}
