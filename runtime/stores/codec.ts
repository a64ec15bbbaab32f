import { UnserializableReturnValueError } from "../errors.ts";
import { measureDecodedShape } from "./decoded-shape.ts";
import { decodePayload, encodePayload, type EncodedPayload } from "./exact-payload.ts";
import { nodeCrypto, nodeZlib } from "./node-builtins.ts";

/**
 * The binary envelope of one persisted entry (a disk file or a Redis value):
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 6 | magic `AMEMO\0` (a foreign file is recognised before anything is parsed) |
 * | 6 | 1 | format version |
 * | 7 | 1 | flags: bit 0 = signed (an HMAC follows the payload); bit 1 = the payload is `[value, fixups]` (exact-payload.ts); other bits reserved, 0 |
 * | 8 | 8 | createdAt, ms since epoch (float64 LE) |
 * | 16 | 8 | expiresAt, ms since epoch, 0 = never (float64 LE) |
 * | 24 | 8 | payload length (float64 LE: exact up to 2^53) |
 * | 32 | 4 | CRC-32 of bytes 0..31 and the payload |
 * | 36 | n | payload: V8 serialization of the value, views written exactly (exact-payload.ts) |
 * | 36 + n | 32 | signed entries only: HMAC-SHA256 (see `entrySignature`) |
 *
 * `v8.deserialize` rebuilds data only (no constructors or getters run), so reading a
 * file never evaluates code; the CRC turns torn or flipped bytes into a miss instead
 * of a wrong value. The CRC detects damage, not tampering: with a signing key, the
 * HMAC binds the whole envelope to the entry's address (function id, code version,
 * key), so only a holder of the key can make an entry that is read, and an entry
 * cannot be moved to another key. A decoded value whose shape would cost more to
 * walk than its bytes justify (decoded-shape.ts) is refused before anyone walks it.
 */
export const ENTRY_MAGIC = "AMEMO\0";

/**
 * Bun's `node:v8` writes JavaScriptCore's serialization format, which V8 cannot read (nor
 * the reverse), so the built-in stores file each engine's entries under names of their own:
 * V8's (Node, Deno) keep the plain name, Bun's get `.jsc`. Processes of both engines then
 * share one directory or database without overwriting each other's entries.
 */
export const SERIALIZATION_TAGS = ["", ".jsc"] as const;
export const SERIALIZATION_TAG: string = "Bun" in globalThis ? ".jsc" : "";
/** 2: views keep their shared buffer and offsets, and a fixup table makes the rest exact (exact-payload.ts); version-1 entries are misses. */
export const ENTRY_FORMAT_VERSION = 2;
export const ENTRY_HEADER_BYTES = 36;
const ENTRY_SIGNATURE_BYTES = 32;
const FLAG_SIGNED = 1;
const FLAG_FIXUPS = 2;
const KNOWN_FLAGS = FLAG_SIGNED | FLAG_FIXUPS;
const SIGNATURE_DOMAIN = "automemo entry signature v1\0";

export interface DecodedEntry {
  readonly value: unknown;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface EntryTimes {
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * Signing of entries: the secret (`configure({ signingKey })` / AUTOMEMO_SIGNING_KEY) and
 * where the entry lives, in one unambiguous string (see `entryAddress`).
 */
export interface EntrySeal {
  readonly secret: string;
  readonly address: string;
}

/** The address an entry's signature covers: function id, code version and key (JSON, so no separator can be forged). */
export function entryAddress(functionId: string, version: string, key: string): string {
  return JSON.stringify([functionId, version, key]);
}

/** Why bytes were not accepted as an entry: shown in the one warning a store prints. */
export type EntryDefect = "foreign" | "unsupported-version" | "truncated" | "checksum" | "undecodable" | "oversized-shape" | "unsigned" | "bad-signature";

const DEFECT_MEANINGS: Readonly<Record<EntryDefect, string>> = {
  foreign: "not an automemo entry",
  "unsupported-version": "written by an incompatible automemo version",
  truncated: "incomplete",
  checksum: "damaged: checksum mismatch",
  undecodable: "its payload does not decode",
  "oversized-shape": "its decoded value declares more elements than its bytes can hold",
  unsigned: "not signed, and a signing key is configured",
  "bad-signature": "its signature does not match the signing key and the entry's function, version and key",
};

export class DefectiveEntry {
  constructor(readonly defect: EntryDefect) {}

  /** `checksum: damaged: checksum mismatch`: for warnings. */
  describe(): string {
    return `${this.defect}: ${DEFECT_MEANINGS[this.defect]}`;
  }
}

export function encodeEntry(functionId: string, value: unknown, times: EntryTimes, seal?: EntrySeal): Buffer {
  let encoded: EncodedPayload;
  try {
    encoded = encodePayload(functionId, value);
  } catch (error) {
    if (error instanceof UnserializableReturnValueError) throw error;
    throw new UnserializableReturnValueError({ functionId, path: [], value, reason: "cannot be written to a persistent store" });
  }
  const payload = encoded.bytes;
  const signedBytes = ENTRY_HEADER_BYTES + payload.length;
  const out = Buffer.allocUnsafe(signedBytes + (seal ? ENTRY_SIGNATURE_BYTES : 0));
  out.write(ENTRY_MAGIC, 0, "latin1");
  out.writeUInt8(ENTRY_FORMAT_VERSION, 6);
  out.writeUInt8((seal ? FLAG_SIGNED : 0) | (encoded.hasFixups ? FLAG_FIXUPS : 0), 7);
  out.writeDoubleLE(times.createdAt, 8);
  out.writeDoubleLE(times.expiresAt, 16);
  out.writeDoubleLE(payload.length, 24);
  payload.copy(out, ENTRY_HEADER_BYTES);
  out.writeUInt32LE(entryChecksum(out, payload.length), 32);
  if (seal) entrySignature(out.subarray(0, signedBytes), seal).copy(out, signedBytes);
  return out;
}

/** Header fields only (no payload check): what listings need to show ages cheaply. */
export function readEntryTimes(bytes: Uint8Array): EntryTimes | DefectiveEntry {
  const buf = asBuffer(bytes);
  const headerDefect = checkHeader(buf);
  if (headerDefect) return new DefectiveEntry(headerDefect);
  return { createdAt: buf.readDoubleLE(8), expiresAt: buf.readDoubleLE(16) };
}

/**
 * The entry in `bytes`, or why it is refused. With a seal, only an entry signed with
 * its secret for its address is accepted; without one, a signature is not checked.
 */
export function decodeEntry(bytes: Uint8Array, seal?: EntrySeal): DecodedEntry | DefectiveEntry {
  const buf = asBuffer(bytes);
  const headerDefect = checkHeader(buf);
  if (headerDefect) return new DefectiveEntry(headerDefect);
  const payloadLength = buf.readDoubleLE(24);
  const signedBytes = ENTRY_HEADER_BYTES + payloadLength;
  const signed = (buf.readUInt8(7) & FLAG_SIGNED) !== 0;
  if (buf.length !== signedBytes + (signed ? ENTRY_SIGNATURE_BYTES : 0)) return new DefectiveEntry("truncated");
  if (buf.readUInt32LE(32) !== entryChecksum(buf, payloadLength)) return new DefectiveEntry("checksum");
  if (seal) {
    if (!signed) return new DefectiveEntry("unsigned");
    const expected = entrySignature(buf.subarray(0, signedBytes), seal);
    if (!nodeCrypto().timingSafeEqual(expected, buf.subarray(signedBytes))) return new DefectiveEntry("bad-signature");
  }
  let decoded: { value: unknown } | undefined;
  try {
    const hasFixups = (buf.readUInt8(7) & FLAG_FIXUPS) !== 0;
    decoded = decodePayload(buf.subarray(ENTRY_HEADER_BYTES, signedBytes), hasFixups, (raw) => measureDecodedShape(raw, payloadLength));
  } catch {
    return new DefectiveEntry("undecodable");
  }
  if (decoded === undefined) return new DefectiveEntry("oversized-shape");
  return { value: decoded.value, createdAt: buf.readDoubleLE(8), expiresAt: buf.readDoubleLE(16) };
}

export function isExpired(times: EntryTimes, ttlMs: number | undefined, now: number): boolean {
  if (times.expiresAt !== 0 && now >= times.expiresAt) return true;
  // The function's current ttl also applies, so shortening a ttl takes effect on old entries.
  return ttlMs !== undefined && now >= times.createdAt + ttlMs;
}

function checkHeader(buf: Buffer): EntryDefect | undefined {
  if (buf.length < 6 || buf.toString("latin1", 0, 6) !== ENTRY_MAGIC) return "foreign";
  if (buf.length < ENTRY_HEADER_BYTES) return "truncated";
  if (buf.readUInt8(6) !== ENTRY_FORMAT_VERSION || (buf.readUInt8(7) & ~KNOWN_FLAGS) !== 0) return "unsupported-version";
  const payloadLength = buf.readDoubleLE(24);
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) return "checksum";
  return undefined;
}

function entryChecksum(buf: Buffer, payloadLength: number): number {
  const zlib = nodeZlib();
  const headerCrc = zlib.crc32(buf.subarray(0, 32));
  return zlib.crc32(buf.subarray(ENTRY_HEADER_BYTES, ENTRY_HEADER_BYTES + payloadLength), headerCrc);
}

/** HMAC-SHA256 over a domain tag, the entry's address and the envelope (header, CRC and payload). */
function entrySignature(envelope: Buffer, seal: EntrySeal): Buffer {
  return nodeCrypto().createHmac("sha256", seal.secret).update(SIGNATURE_DOMAIN).update(seal.address).update("\0").update(envelope).digest();
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
