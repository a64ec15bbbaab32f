/**
 * Hostile stored values for the decoder tests: envelopes with a valid header and CRC
 * around payloads that are not what automemo writes, and mutations of valid ones.
 */
import { serialize, Serializer } from "node:v8";
import { crc32 } from "node:zlib";
import fc from "fast-check";
import { encodeEntry, ENTRY_FORMAT_VERSION, ENTRY_HEADER_BYTES, ENTRY_MAGIC } from "../../../runtime/stores/codec.ts";

/** A well-formed envelope (magic, version, lengths, CRC) around any payload bytes. */
export function envelopeAround(payload: Uint8Array, flags = 0): Buffer {
  const out = Buffer.alloc(ENTRY_HEADER_BYTES + payload.length);
  out.write(ENTRY_MAGIC, 0, "latin1");
  out.writeUInt8(ENTRY_FORMAT_VERSION, 6);
  out.writeUInt8(flags, 7);
  out.writeDoubleLE(Date.now(), 8);
  out.writeDoubleLE(0, 16);
  out.writeDoubleLE(payload.length, 24);
  out.set(payload, ENTRY_HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(ENTRY_HEADER_BYTES), crc32(out.subarray(0, 32))), 32);
  return out;
}

/**
 * A stored record `{ async, value }` as persist writes it when the value needs no fixups,
 * wrapped in a valid envelope; written by V8 directly, so values automemo's encoder
 * refuses (boxed primitives) can be planted too.
 */
export function storedRecord(value: unknown, async = false): Buffer {
  return envelopeAround(serialize({ async, value }));
}

/** FLAG_FIXUPS of the envelope: the payload is `[record, fixups]` (runtime/stores/exact-payload.ts). */
const FLAG_FIXUPS = 2;

/** A record with a crafted flat fixup table (`tag, target, ...operands`; tags 0 null prototype, 1 lastIndex, 2 error). */
function recordWithFixups(value: unknown, fixups: (record: { async: boolean; value: unknown }) => unknown): Buffer {
  const record = { async: false, value };
  return envelopeAround(serialize([record, fixups(record)]), FLAG_FIXUPS);
}

/** A view in automemo's host-object layout (kind, buffer, offset, length), with any numbers. */
function craftedViewRecord(kind: number, buffer: unknown, byteOffset: number, length: number): Buffer {
  class ViewSerializer extends Serializer {
    constructor() {
      super();
      (this as unknown as { _setTreatArrayBufferViewsAsHostObjects(flag: boolean): void })._setTreatArrayBufferViewsAsHostObjects(true);
    }

    _writeHostObject(): void {
      this.writeUint32(kind);
      this.writeValue(buffer);
      this.writeDouble(byteOffset);
      this.writeDouble(length);
    }
  }
  const serializer = new ViewSerializer();
  serializer.writeHeader();
  serializer.writeValue({ async: false, value: new Uint8Array(1) });
  return envelopeAround(serializer.releaseBuffer());
}

/** A sparse array that declares 2^31 - 1 elements in a few dozen bytes. */
export function hugeSparseArray(): unknown[] {
  const array: unknown[] = [];
  array.length = 2 ** 31 - 1;
  array[7] = 1;
  return array;
}

/** `depth` arrays nested in each other. */
export function nested(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/**
 * A record holding many typed arrays that view one 64 KB buffer, in V8's own format
 * (Node's default serializer copies each view; V8's stores the buffer once): 150 KB
 * on disk, 650 MB for a walk that copies every view.
 */
export function sharedBufferViewsRecord(views: number): Buffer {
  const buffer = new ArrayBuffer(64 * 1024);
  const serializer = new Serializer();
  serializer.writeHeader();
  serializer.writeValue({ async: false, value: Array.from({ length: views }, () => new Uint8Array(buffer)) });
  return envelopeAround(serializer.releaseBuffer());
}

/** Payloads (already serialized) that are not a plain-data record, or are one with a hostile value. */
export const hostileRecords: readonly { readonly name: string; readonly bytes: () => Buffer }[] = [
  { name: "a boxed Number as the value", bytes: () => storedRecord(new Number(5)) },
  { name: "a boxed String inside the value", bytes: () => storedRecord({ label: new String("x") }) },
  { name: "an async record holding a boxed Boolean", bytes: () => storedRecord(new Boolean(true), true) },
  { name: "a record with an extra key", bytes: () => encodeEntry("crafted", { async: false, value: 1, then: 2 }, { createdAt: 0, expiresAt: 0 }) },
  { name: "a record whose async is not a boolean", bytes: () => encodeEntry("crafted", { async: "yes", value: 1 }, { createdAt: 0, expiresAt: 0 }) },
  { name: "a bare value instead of a record", bytes: () => encodeEntry("crafted", 42, { createdAt: 0, expiresAt: 0 }) },
  { name: "an array instead of a record", bytes: () => encodeEntry("crafted", [false, 1], { createdAt: 0, expiresAt: 0 }) },
  { name: "a Map instead of a record", bytes: () => encodeEntry("crafted", new Map([["async", false]]), { createdAt: 0, expiresAt: 0 }) },
  { name: "a sparse array of length 2^31 - 1", bytes: () => storedRecord(hugeSparseArray()) },
  { name: "3,000 levels of nesting", bytes: () => storedRecord(nested(3_000)) },
  { name: "10,000 views of one 64 KB buffer", bytes: () => sharedBufferViewsRecord(10_000) },
  { name: "random bytes behind a valid CRC", bytes: () => envelopeAround(Buffer.from("ff0d6f2205616173796e6354", "hex")) },
  { name: "a record flagged with unknown flags", bytes: () => envelopeAround(serialize({ async: false, value: 1 }), 0x80) },
  { name: "a fixup flag on a bare record", bytes: () => envelopeAround(serialize({ async: false, value: 1 }), FLAG_FIXUPS) },
  { name: "fixups that are not an array", bytes: () => recordWithFixups(1, () => ({ 0: [0, {}] })) },
  { name: "an unknown fixup tag", bytes: () => recordWithFixups({ a: 1 }, (record) => [9, record.value]) },
  { name: "a null-prototype fixup on an array", bytes: () => recordWithFixups([1], (record) => [0, record.value]) },
  { name: "a lastIndex fixup on a plain object", bytes: () => recordWithFixups({ a: 1 }, (record) => [1, record.value, 5]) },
  { name: "an error fixup on a plain object", bytes: () => recordWithFixups({ a: 1 }, (record) => [2, record.value, 0, [["message", "m", 7]]]) },
  { name: "an error fixup with an unknown prototype", bytes: () => recordWithFixups(new Error("x"), (record) => [2, record.value, 99, []]) },
  { name: "an error fixup with a malformed descriptor", bytes: () => recordWithFixups(new Error("x"), (record) => [2, record.value, 0, [["message", "m"]]]) },
  { name: "a null-prototype fixup on the record itself", bytes: () => recordWithFixups(1, (record) => [0, record]) },
  { name: "a lastIndex fixup cut short", bytes: () => recordWithFixups(/a/g, (record) => [1, record.value]) },
  { name: "a fixup naming a primitive", bytes: () => recordWithFixups(1, () => [0, 1]) },
  { name: "a view past the end of its buffer", bytes: () => craftedViewRecord(17, new ArrayBuffer(4), 2, 8) },
  { name: "a view of an unknown kind", bytes: () => craftedViewRecord(29, new ArrayBuffer(4), 0, 1) },
  { name: "a view over something that is not a buffer", bytes: () => craftedViewRecord(17, { byteLength: 4 }, 0, 1) },
  { name: "a view with a NaN offset", bytes: () => craftedViewRecord(8, new ArrayBuffer(4), Number.NaN, 1) },
];

/** Random mutations of a valid envelope: flipped, dropped, appended, overwritten bytes (some with the CRC fixed up again). */
export function mutatedEnvelope(valid: Buffer): fc.Arbitrary<Buffer> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(valid.length - 1), bits: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat(valid.length - 1), bits: fc.constant(0) }),
    fc.record({ kind: fc.constant("append" as const), at: fc.nat(64), bits: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("payload" as const), at: fc.nat(Math.max(0, valid.length - ENTRY_HEADER_BYTES - 1)), bits: fc.integer({ min: 0, max: 255 }) }),
  );
  return fc.tuple(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([edits, fixCrc]) => {
    let bytes = Buffer.from(valid);
    for (const { kind, at, bits } of edits) {
      if (kind === "flip") bytes[at % bytes.length] ^= bits;
      else if (kind === "truncate") bytes = bytes.subarray(0, at % (bytes.length + 1));
      else if (kind === "append") bytes = Buffer.concat([bytes, Buffer.alloc(at, bits)]);
      else if (bytes.length > ENTRY_HEADER_BYTES) bytes[ENTRY_HEADER_BYTES + (at % (bytes.length - ENTRY_HEADER_BYTES))] = bits;
    }
    if (fixCrc && bytes.length >= ENTRY_HEADER_BYTES) {
      // Keep the declared length consistent and the CRC right, so the payload itself reaches the decoder.
      const payload = bytes.subarray(ENTRY_HEADER_BYTES);
      // The (possibly flipped) flags byte is kept, so fixup-flagged payloads reach the fixup decoder.
      return envelopeAround(payload, bytes.length > 7 ? bytes[7] : 0);
    }
    return bytes;
  });
}
