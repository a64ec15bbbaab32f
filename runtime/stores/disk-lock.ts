import { isErrnoCode } from "./disk-layout.ts";
import { nodeCrypto, nodeFs, nodeOs } from "./node-builtins.ts";

/**
 * A cross-process lock held as a file created with O_CREAT|O_EXCL (`"wx"`): exactly
 * one process can create it. The holder refreshes its mtime while it computes
 * (asynchronous computations only: a synchronous one blocks the timer); a lock whose
 * mtime is older than `staleMs`, or whose holder is a dead process on this host, is
 * broken by the next process that finds it, so a crashed holder blocks nobody for long.
 * The file operations are synchronous on purpose: they touch one tiny file, and the same
 * code then serves synchronous and asynchronous callers.
 *
 * Anything else at a lock path (a directory, a symlink, a file automemo cannot read) is
 * not a lock of ours: it counts as stale after `staleMs` and is removed without following
 * it and without deleting anything inside it; if it cannot be removed, the caller
 * computes without the lock (LOCK_UNBREAKABLE) instead of waiting forever.
 */
export interface HeldLock {
  release(): void;
}

/** Someone else holds the lock: wait and try again. */
export const LOCK_BUSY = Symbol("lock busy");
/** Something automemo cannot remove sits at the lock path past its staleness: compute without the lock. */
export const LOCK_UNBREAKABLE = Symbol("lock unbreakable");

export type LockAttempt = HeldLock | typeof LOCK_BUSY | typeof LOCK_UNBREAKABLE;

/**
 * Lock paths held by this process, shared by every runtime copy (ESM + CJS builds): a
 * process must never wait for a lock it holds itself (a synchronous function calling
 * itself with the same key would block on its own lock until it went stale).
 */
const HELD_SYMBOL = Symbol.for("automemo.heldDiskLocks");
function heldLocks(): Set<string> {
  const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  return (holder[HELD_SYMBOL] ??= new Set());
}

/** True when this process holds the lock at `lockPath` (re-entrant call of the same key). */
export function isHeldByThisProcess(lockPath: string): boolean {
  return heldLocks().has(lockPath);
}

/**
 * One attempt at the lock. `waitedMs` is how long the caller has been waiting for it:
 * something at the lock path that is not a readable lock counts as stale once either
 * its mtime or the caller's wait is older than `staleMs` (an mtime in the future must
 * not make the wait endless).
 */
export function tryAcquireLockFile(lockPath: string, staleMs: number, waitedMs = 0): LockAttempt {
  const fs = nodeFs();
  const token = `${nodeOs().hostname()}\n${process.pid}\n${nodeCrypto().randomBytes(8).toString("hex")}`;
  try {
    fs.writeFileSync(lockPath, token, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if (!isErrnoCode(error, "EEXIST")) throw error;
    return breakIfStale(lockPath, staleMs, waitedMs) ? LOCK_BUSY : LOCK_UNBREAKABLE;
  }
  const held = heldLocks();
  held.add(lockPath);
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now, () => {});
  }, Math.max(10, Math.floor(staleMs / 3)));
  heartbeat.unref?.();
  return {
    release() {
      clearInterval(heartbeat);
      held.delete(lockPath);
      // Only remove the lock if it is still ours (it may have been broken as stale and re-taken).
      if (readLockToken(lockPath) === token) unlinkQuietly(lockPath);
    },
  };
}

/** Breaks the lock at `lockPath` if it is stale; false when it is stale but cannot be removed. */
function breakIfStale(lockPath: string, staleMs: number, waitedMs: number): boolean {
  const stats = nodeFs().lstatSync(lockPath, { throwIfNoEntry: false });
  if (!stats) return true; // released meanwhile: try again at once
  const token = stats.isFile() ? readLockToken(lockPath) : undefined;
  const expired = Date.now() - stats.mtimeMs > staleMs;
  if (token !== undefined) {
    if (!expired && !holderIsGone(token, lockPath)) return true;
    // Re-read right before unlinking so a lock that was just re-taken by someone else survives
    // (the window between the read and the unlink is a few microseconds).
    if (readLockToken(lockPath) === token) unlinkQuietly(lockPath);
    return true;
  }
  if (!expired && waitedMs <= staleMs) return true;
  return removeForeignLock(lockPath, stats);
}

/**
 * The lock's holder no longer exists: a dead process on this host, or this very process
 * when it does not hold the lock (a pid reused after a crash, in a container).
 */
function holderIsGone(token: string, lockPath: string): boolean {
  const [host, pidText] = token.split("\n");
  const pid = Number(pidText);
  if (host !== nodeOs().hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return !isHeldByThisProcess(lockPath);
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return isErrnoCode(error, "ESRCH");
  }
}

/**
 * Removes what sits at a lock path without following it: a symlink or file is unlinked
 * (the link itself, never its target), an empty directory removed, a non-empty one
 * renamed aside (its content is not ours to delete). False when none of that is allowed.
 */
function removeForeignLock(lockPath: string, seen: { readonly ino: number; readonly dev: number }): boolean {
  const fs = nodeFs();
  const now = fs.lstatSync(lockPath, { throwIfNoEntry: false });
  // Replaced since we looked (by a process that broke it first): look again next round.
  if (!now || now.ino !== seen.ino || now.dev !== seen.dev) return true;
  try {
    if (!now.isDirectory()) {
      fs.unlinkSync(lockPath);
      return true;
    }
    try {
      fs.rmdirSync(lockPath);
    } catch (error) {
      if (!isErrnoCode(error, "ENOTEMPTY") && !isErrnoCode(error, "EEXIST")) throw error;
      fs.renameSync(lockPath, `${lockPath}.stale-${nodeCrypto().randomBytes(6).toString("hex")}`);
    }
    return true;
  } catch (error) {
    return isErrnoCode(error, "ENOENT");
  }
}

/** The lock's content, read without following a symlink; undefined when it cannot be read. */
function readLockToken(file: string): string | undefined {
  const fs = nodeFs();
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO swapped in must not block the open.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
    if (!fs.fstatSync(fd).isFile()) return undefined;
    return fs.readFileSync(fd, "utf8");
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function unlinkQuietly(file: string): void {
  try {
    nodeFs().unlinkSync(file);
  } catch {
    // Already gone (or the directory was removed): nothing to release.
  }
}

/** Block this thread for `ms` (a synchronous caller waiting for another process's result). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
