import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";

/**
 * One version of a file on disk: inode, size, mtime, ctime, compared as numbers
 * (no string per check).
 */
export interface FileStamp {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** A file's text and the stamp of the very descriptor it was read from. */
export interface StampedText {
  readonly text: string;
  readonly stamp: FileStamp;
}

// Hoisted: statSync then allocates no options object per call.
const NO_THROW = { throwIfNoEntry: false } as const;
// Non-blocking, so a FIFO (which stat would have called no file) cannot hang the open;
// no effect on regular files. Not defined on Windows, where FIFOs do not arise.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The stats of what `path` names (links followed); undefined when nothing does. Never throws for a missing file. */
export function statPath(path: string): Stats | undefined {
  return statSync(path, NO_THROW);
}

export function isFile(path: string): boolean {
  return statPath(path)?.isFile() ?? false;
}

function stampOf(stats: Stats): FileStamp {
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

export function sameStamp(stamp: FileStamp, stats: Stats): boolean {
  return stamp.ino === stats.ino && stamp.size === stats.size && stamp.mtimeMs === stats.mtimeMs && stamp.ctimeMs === stats.ctimeMs;
}

/**
 * Reads a regular file as `readFileSync(path, "utf8")` would (to its end, even if it
 * grew after the stat; invalid UTF-8 decoded alike), with the stamp taken by `fstat`
 * on the same descriptor: one open, one fstat, the reads, one close, and no separate
 * stat that an edit could slip between. Undefined when the file is missing, is not a
 * regular file (a directory, a FIFO), or cannot be read.
 */
export function readStampedText(path: string): StampedText | undefined {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch {
    return undefined;
  }
  let result: StampedText | undefined;
  try {
    const stats = fstatSync(fd);
    if (stats.isFile()) result = { text: readToEnd(fd, stats.size), stamp: stampOf(stats) };
  } catch {
    result = undefined;
  }
  try {
    closeSync(fd);
  } catch {
    // readFileSync would have thrown here: the file counts as unreadable.
    return undefined;
  }
  return result;
}

/** Buffers up to this size are kept for the next read; larger ones are allocated for one read. */
const KEPT_BUFFER_BYTES = 1 << 20;
let scratch: Buffer | null = null;

function bufferOf(bytes: number): Buffer {
  if (scratch !== null && scratch.length >= bytes) return scratch;
  if (bytes > KEPT_BUFFER_BYTES) return Buffer.allocUnsafeSlow(bytes);
  scratch = Buffer.allocUnsafeSlow(Math.max(bytes, 64 * 1024));
  return scratch;
}

/**
 * Reads from the descriptor's position until a read returns nothing (`size`, from
 * fstat, only sizes the first read). Exported for the growth test only. The text is
 * decoded (copied) out of the buffer before anyone else can use it, so one buffer
 * serves every read.
 */
export function readToEnd(fd: number, size: number): string {
  // One byte more than fstat said, so the closing empty read needs no larger buffer.
  let buffer = bufferOf(size + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      const larger = Buffer.allocUnsafeSlow(buffer.length * 2);
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    const bytesRead = readSync(fd, buffer, length, buffer.length - length, null);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buffer.toString("utf8", 0, length);
}
