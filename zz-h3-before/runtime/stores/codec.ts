import { UnserializableReturnValueError } from "../errors.ts";
import { nodeV8, nodeZlib } from "./node-builtins.ts";

/**
 * The binary envelope of one persisted entry (a disk file or a Redis value):
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 6 | magic `AMEMO\0` (a foreign file is recognised before anything is parsed) |
 * | 6 | 1 | format version |
 * | 7 | 1 | flags (reserved, 0) |
 * | 8 | 8 | createdAt, ms since epoch (float64 LE) |
 * | 16 | 8 | expiresAt, ms since epoch, 0 = never (float64 LE) |
 * | 24 | 8 | payload length (float64 LE: exact up to 2^53) |
 * | 32 | 4 | CRC-32 of bytes 0..31 and the payload |
 * | 36 | n | payload: `v8.serialize(value)` |
 *
 * `v8.deserialize` rebuilds data only (no constructors or getters run), so reading a
 * file never evaluates code; the CRC turns torn or flipped bytes into a miss instead
 * of a wrong value.
 */
export const ENTRY_MAGIC = "AMEMO\0";
export const ENTRY_FORMAT_VERSION = 1;
export const ENTRY_HEADER_BYTES = 36;

export interface DecodedEntry {
  readonly value: unknown;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface EntryTimes {
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** Why bytes were not accepted as an entry: shown in the one warning a store prints. */
export type EntryDefect = "foreign" | "unsupported-version" | "truncated" | "checksum" | "undecodable";

export class DefectiveEntry {
  constructor(readonly defect: EntryDefect) {}
}

export function encodeEntry(functionId: string, value: unknown, times: EntryTimes): Buffer {
  let payload: Buffer;
  try {
    payload = nodeV8().serialize(value);
  } catch {
    throw new UnserializableReturnValueError({ functionId, path: [], value });
  }
  const out = Buffer.allocUnsafe(ENTRY_HEADER_BYTES + payload.length);
  out.write(ENTRY_MAGIC, 0, "latin1");
  out.writeUInt8(ENTRY_FORMAT_VERSION, 6);
  out.writeUInt8(0, 7);
  out.writeDoubleLE(times.createdAt, 8);
  out.writeDoubleLE(times.expiresAt, 16);
  out.writeDoubleLE(payload.length, 24);
  payload.copy(out, ENTRY_HEADER_BYTES);
  out.writeUInt32LE(entryChecksum(out, payload.length), 32);
  return out;
}

/** Header fields only (no payload check): what listings need to show ages cheaply. */
export function readEntryTimes(bytes: Uint8Array): EntryTimes | DefectiveEntry {
  const buf = asBuffer(bytes);
  const headerDefect = checkHeader(buf);
  if (headerDefect) return new DefectiveEntry(headerDefect);
  return { createdAt: buf.readDoubleLE(8), expiresAt: buf.readDoubleLE(16) };
}

export function decodeEntry(bytes: Uint8Array): DecodedEntry | DefectiveEntry {
  const buf = asBuffer(bytes);
  const headerDefect = checkHeader(buf);
  if (headerDefect) return new DefectiveEntry(headerDefect);
  const payloadLength = buf.readDoubleLE(24);
  if (buf.length !== ENTRY_HEADER_BYTES + payloadLength) return new DefectiveEntry("truncated");
  if (buf.readUInt32LE(32) !== entryChecksum(buf, payloadLength)) return new DefectiveEntry("checksum");
  let value: unknown;
  try {
    value = nodeV8().deserialize(buf.subarray(ENTRY_HEADER_BYTES));
  } catch {
    return new DefectiveEntry("undecodable");
  }
  return { value, createdAt: buf.readDoubleLE(8), expiresAt: buf.readDoubleLE(16) };
}

export function isExpired(times: EntryTimes, ttlMs: number | undefined, now: number): boolean {
  if (times.expiresAt !== 0 && now >= times.expiresAt) return true;
  // The function's current ttl also applies, so shortening a ttl takes effect on old entries.
  return ttlMs !== undefined && now >= times.createdAt + ttlMs;
}

function checkHeader(buf: Buffer): EntryDefect | undefined {
  if (buf.length < 6 || buf.toString("latin1", 0, 6) !== ENTRY_MAGIC) return "foreign";
  if (buf.length < ENTRY_HEADER_BYTES) return "truncated";
  if (buf.readUInt8(6) !== ENTRY_FORMAT_VERSION) return "unsupported-version";
  const payloadLength = buf.readDoubleLE(24);
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) return "checksum";
  return undefined;
}

function entryChecksum(buf: Buffer, payloadLength: number): number {
  const zlib = nodeZlib();
  const headerCrc = zlib.crc32(buf.subarray(0, 32));
  return zlib.crc32(buf.subarray(ENTRY_HEADER_BYTES, ENTRY_HEADER_BYTES + payloadLength), headerCrc);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
