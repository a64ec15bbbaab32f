import { DIR_MODE, FILE_MODE, isErrnoCode, TEMP_SUFFIX } from "./disk-layout.ts";
import { nodeCrypto, nodeFs, nodePath } from "./node-builtins.ts";

/**
 * How the disk store (and the transformer's dependency cache) touch the file system so
 * that nothing planted in a cache directory can redirect them:
 *
 * - Every file is written under a fresh random name created with O_CREAT|O_EXCL|O_NOFOLLOW
 *   (a link or file already there makes the create fail instead of being written through),
 *   then renamed over its final name (rename replaces a link, never follows it).
 * - Reads use O_NOFOLLOW|O_NONBLOCK: a link is not followed, a FIFO does not block.
 * - A directory below the cache root must be a real directory (lstat), and the root and
 *   every such directory must belong to this user and be writable by nobody else, as ssh
 *   demands of `~/.ssh`: whoever can write there can choose what cached functions return.
 *   `trust` (configure({ trustCacheDir: true }) / AUTOMEMO_TRUST_CACHE_DIR=1) skips the
 *   owner and mode checks, never the link checks.
 */

/** A directory automemo refuses to use: what is wrong with it and the command that fixes it. */
export class UnsafeDirectory {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly fix: string,
  ) {}

  describe(): string {
    return `${this.path} ${this.problem}. Fix: ${this.fix}`;
  }
}

function flags(): { write: number; read: number } {
  const { constants } = nodeFs();
  // O_NOFOLLOW and O_NONBLOCK do not exist on Windows (0 there): O_EXCL alone still refuses an existing link.
  return {
    write: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
    read: constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
  };
}

/** A temp file name nobody can guess in advance (a planted link at a predictable name is the attack). */
function tempPath(file: string): string {
  const path = nodePath();
  return path.join(path.dirname(file), `.${path.basename(file)}.${nodeCrypto().randomBytes(9).toString("base64url")}${TEMP_SUFFIX}`);
}

/** Replaces `file` atomically with `bytes`, never writing through a link. */
export function writeFileAtomicSync(file: string, bytes: Uint8Array | string): void {
  const fs = nodeFs();
  const temp = tempPath(file);
  const fd = fs.openSync(temp, flags().write, FILE_MODE);
  try {
    try {
      fs.writeFileSync(fd, bytes);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const fs = nodeFs().promises;
  const temp = tempPath(file);
  const handle = await fs.open(temp, flags().write, FILE_MODE);
  try {
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Reads a file without following a link at its name (ELOOP) or blocking on a FIFO. */
export function readFileNoFollowSync(file: string): Buffer {
  const fs = nodeFs();
  const fd = fs.openSync(file, flags().read);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export async function readFileNoFollow(file: string): Promise<Buffer> {
  const handle = await nodeFs().promises.open(file, flags().read);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Creates the cache root if needed (with its parents, mode 0700) and checks it. The root
 * itself may be a link (a user may point it at another disk); its target is checked.
 */
export function ensureCacheRoot(root: string, trust: boolean): UnsafeDirectory | undefined {
  const fs = nodeFs();
  fs.mkdirSync(root, { recursive: true, mode: DIR_MODE });
  return checkDirectory(root, fs.statSync(root), trust);
}

/** The cache root checked without creating it; undefined when it is absent or safe. */
export function checkCacheRoot(root: string, trust: boolean): UnsafeDirectory | undefined {
  const stats = nodeFs().statSync(root, { throwIfNoEntry: false });
  return stats === undefined ? undefined : checkDirectory(root, stats, trust);
}

/** Creates a directory below the root if needed (mode 0700) and checks it: a link there is refused, not followed. */
export function ensureSubdirectory(dir: string, trust: boolean): UnsafeDirectory | undefined {
  const fs = nodeFs();
  try {
    fs.mkdirSync(dir, { mode: DIR_MODE });
  } catch (error) {
    if (!isErrnoCode(error, "EEXIST")) throw error;
  }
  return checkDirectory(dir, fs.lstatSync(dir), trust);
}

/** An existing directory below the root, checked without creating it; undefined when absent. */
export function checkExistingSubdirectory(dir: string, trust: boolean): UnsafeDirectory | undefined {
  const stats = nodeFs().lstatSync(dir, { throwIfNoEntry: false });
  return stats === undefined ? undefined : checkDirectory(dir, stats, trust);
}

interface DirectoryStats {
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  readonly uid: number;
  readonly mode: number;
}

function checkDirectory(path: string, stats: DirectoryStats, trust: boolean): UnsafeDirectory | undefined {
  const quoted = shellQuote(path);
  if (stats.isSymbolicLink()) return new UnsafeDirectory(path, "is a symbolic link where automemo expects its own directory", `rm ${quoted}`);
  if (!stats.isDirectory()) return new UnsafeDirectory(path, "is not a directory", `rm ${quoted}`);
  if (trust) return undefined;
  // No uid on Windows (process.getuid is absent); its mode bits do not describe ACLs either.
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    return new UnsafeDirectory(path, `is owned by another user (uid ${stats.uid}; this process runs as uid ${uid})`, `chown -R ${uid} ${quoted} (or remove it)`);
  }
  if (process.platform !== "win32" && (stats.mode & 0o022) !== 0) {
    const who = (stats.mode & 0o002) !== 0 ? "every user" : "its group";
    return new UnsafeDirectory(path, `is writable by ${who} (mode ${(stats.mode & 0o777).toString(8).padStart(3, "0")})`, `chmod go-w ${quoted}`);
  }
  return undefined;
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
