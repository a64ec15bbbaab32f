import { isErrnoCode } from "./disk-layout.ts";
import { nodeCrypto, nodeFs, nodeOs } from "./node-builtins.ts";

/**
 * A cross-process lock held as a file created with O_CREAT|O_EXCL (`"wx"`): exactly
 * one process can create it. The holder refreshes its mtime while it computes; a lock
 * whose mtime is older than `staleMs`, or whose holder is a dead process on this host,
 * is broken by the next process that finds it, so a crashed holder blocks nobody for long.
 */
export interface HeldLock {
  release(): Promise<void>;
}

export async function tryAcquireLockFile(lockPath: string, staleMs: number): Promise<HeldLock | undefined> {
  const fs = nodeFs();
  const token = `${nodeOs().hostname()}\n${process.pid}\n${nodeCrypto().randomBytes(8).toString("hex")}`;
  try {
    await fs.promises.writeFile(lockPath, token, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if (!isErrnoCode(error, "EEXIST")) throw error;
    await breakIfStale(lockPath, staleMs);
    return undefined;
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now, () => {});
  }, Math.max(10, Math.floor(staleMs / 3)));
  heartbeat.unref?.();
  return {
    async release() {
      clearInterval(heartbeat);
      // Only remove the lock if it is still ours (it may have been broken as stale and re-taken).
      const current = await fs.promises.readFile(lockPath, "utf8").catch(() => undefined);
      if (current === token) await fs.promises.unlink(lockPath).catch(() => {});
    },
  };
}

async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  const fs = nodeFs();
  const stats = await fs.promises.stat(lockPath).catch(() => undefined);
  if (!stats) return;
  const content = await fs.promises.readFile(lockPath, "utf8").catch(() => undefined);
  if (content === undefined) return;
  const expired = Date.now() - stats.mtimeMs > staleMs;
  if (!expired && !holderIsDeadLocalProcess(content)) return;
  // Re-read right before unlinking so a lock that was just re-taken by someone else survives
  // (the window between the read and the unlink is a few microseconds).
  const again = await fs.promises.readFile(lockPath, "utf8").catch(() => undefined);
  if (again === content) await fs.promises.unlink(lockPath).catch(() => {});
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
