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
 */
export interface HeldLock {
  release(): void;
}

export function tryAcquireLockFile(lockPath: string, staleMs: number): HeldLock | undefined {
  const fs = nodeFs();
  const token = `${nodeOs().hostname()}\n${process.pid}\n${nodeCrypto().randomBytes(8).toString("hex")}`;
  try {
    fs.writeFileSync(lockPath, token, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if (!isErrnoCode(error, "EEXIST")) throw error;
    breakIfStale(lockPath, staleMs);
    return undefined;
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now, () => {});
  }, Math.max(10, Math.floor(staleMs / 3)));
  heartbeat.unref?.();
  return {
    release() {
      clearInterval(heartbeat);
      // Only remove the lock if it is still ours (it may have been broken as stale and re-taken).
      if (readOrUndefined(lockPath) === token) unlinkQuietly(lockPath);
    },
  };
}

function breakIfStale(lockPath: string, staleMs: number): void {
  const stats = nodeFs().statSync(lockPath, { throwIfNoEntry: false });
  const content = readOrUndefined(lockPath);
  if (!stats || content === undefined) return;
  const expired = Date.now() - stats.mtimeMs > staleMs;
  if (!expired && !holderIsDeadLocalProcess(content)) return;
  // Re-read right before unlinking so a lock that was just re-taken by someone else survives
  // (the window between the read and the unlink is a few microseconds).
  if (readOrUndefined(lockPath) === content) unlinkQuietly(lockPath);
}

function holderIsDeadLocalProcess(content: string): boolean {
  const [host, pidText] = content.split("\n");
  const pid = Number(pidText);
  if (host !== nodeOs().hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return isErrnoCode(error, "ESRCH");
  }
}

function readOrUndefined(file: string): string | undefined {
  try {
    return nodeFs().readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function unlinkQuietly(file: string): void {
  nodeFs().rmSync(file, { force: true });
}

/** Block this thread for `ms` (a synchronous caller waiting for another process's result). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
