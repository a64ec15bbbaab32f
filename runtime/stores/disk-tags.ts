/**
 * The tag index of the disk store: `<root>/.tags/<tag digest>/<entry digest>.tag`, one
 * small file per tagged entry holding `{ id, version, key }`. One file per entry, not one
 * list per tag, so processes tagging at the same time never rewrite each other's lines.
 * Files are written with writeFileAtomicSync (temp name nobody can guess, no link followed)
 * and read with readFileNoFollowSync, in directories that pass the safety checks of
 * disk-safety.ts; the CLI's listing skips `.tags` (it holds no meta.json).
 */
import { ENTRY_SUFFIX, entryFileStem, functionDirName, isErrnoCode, versionDirName } from "./disk-layout.ts";
import { checkExistingSubdirectory, ensureCacheRoot, ensureSubdirectory, readFileNoFollowSync, writeFileAtomicSync } from "./disk-safety.ts";
import { SERIALIZATION_TAGS } from "./codec.ts";
import { nodeCrypto, nodeFs, nodePath } from "./node-builtins.ts";
import type { StoreFunction } from "./store.ts";

const TAGS_DIR = ".tags";
const TAG_FILE_SUFFIX = ".tag";

interface TaggedEntry {
  readonly id: string;
  readonly version: string;
  readonly key: string;
}

function digest(text: string): string {
  return nodeCrypto().createHash("sha256").update(text).digest("hex").slice(0, 32);
}

function isTaggedEntry(value: unknown): value is TaggedEntry {
  const entry = value as TaggedEntry;
  return typeof value === "object" && value !== null && typeof entry.id === "string" && typeof entry.version === "string" && typeof entry.key === "string";
}

export class DiskTagIndex {
  readonly #root: string;
  readonly #trust: boolean;

  constructor(root: string, trust: boolean) {
    this.#root = root;
    this.#trust = trust;
  }

  /** Records that entry `key` of `fn` carries `tags`; false when the index directories are unsafe or unwritable. */
  add(fn: StoreFunction, key: string, tags: readonly string[]): boolean {
    const path = nodePath();
    try {
      if (ensureCacheRoot(this.#root, this.#trust) !== undefined) return false;
      const tagsDir = path.join(this.#root, TAGS_DIR);
      if (ensureSubdirectory(tagsDir, this.#trust) !== undefined) return false;
      const record = JSON.stringify({ id: fn.id, version: fn.version, key } satisfies TaggedEntry);
      const name = digest(`${fn.id}\n${fn.version}\n${key}`) + TAG_FILE_SUFFIX;
      for (const tag of tags) {
        const tagDir = path.join(tagsDir, digest(tag));
        if (ensureSubdirectory(tagDir, this.#trust) !== undefined) return false;
        writeFileAtomicSync(path.join(tagDir, name), record);
      }
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes every entry file listed under `tags` (every function and version), then the tags' directories. */
  async deleteTagged(tags: readonly string[]): Promise<void> {
    const fs = nodeFs();
    const path = nodePath();
    const tagsDir = path.join(this.#root, TAGS_DIR);
    if (!this.#safe(tagsDir)) return;
    for (const tag of tags) {
      const tagDir = path.join(tagsDir, digest(tag));
      if (!this.#safe(tagDir)) continue;
      for (const name of readdirOrEmpty(tagDir)) {
        if (!name.endsWith(TAG_FILE_SUFFIX)) continue;
        const file = path.join(tagDir, name);
        const entry = readTaggedEntry(file);
        if (entry !== undefined) await this.#deleteEntry(entry);
        await fs.promises.rm(file, { force: true });
      }
      await fs.promises.rm(tagDir, { recursive: true, force: true });
    }
  }

  /** The entry's files, reached only through existing directories that pass the checks (a planted link is not followed). */
  async #deleteEntry(entry: TaggedEntry): Promise<void> {
    const path = nodePath();
    const functionDir = path.join(this.#root, functionDirName(entry.id));
    const versionDir = path.join(functionDir, versionDirName(entry.version));
    if (!this.#safe(functionDir) || !this.#safe(versionDir)) return;
    const stem = path.join(versionDir, entryFileStem(entry.key));
    await Promise.all(SERIALIZATION_TAGS.map((tag) => nodeFs().promises.rm(stem + tag + ENTRY_SUFFIX, { force: true })));
  }

  /** An existing directory that passes the safety checks (false when absent or unsafe). */
  #safe(dir: string): boolean {
    try {
      return nodeFs().lstatSync(dir, { throwIfNoEntry: false }) !== undefined && checkExistingSubdirectory(dir, this.#trust) === undefined;
    } catch {
      return false;
    }
  }
}

function readTaggedEntry(file: string): TaggedEntry | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileNoFollowSync(file).toString("utf8"));
    return isTaggedEntry(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return nodeFs().readdirSync(dir);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return [];
    throw error;
  }
}
