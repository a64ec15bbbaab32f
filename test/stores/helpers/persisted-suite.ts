import { afterEach, beforeEach, vi } from "vitest";
import { clearAll, configure, type GlobalSettings } from "../../../runtime/index.ts";
import { closeStores, resetStores } from "../../../runtime/stores/index.ts";
import { makeTempDir } from "./temp-dir.ts";

/**
 * For a describe block of persisted `@memo` tests: before each test, a fresh cache directory
 * (`dir`), the stores reset and configured by `settings(dir)`, and console warnings collected
 * in `warnings`; after it, every cache cleared, the stores closed and the directory removed.
 */
export function persistedMemoSuite(label: string, settings: (dir: string) => GlobalSettings): { readonly dir: string; readonly warnings: string[] } {
  const state = { dir: "", warnings: [] as string[] };
  let temp: ReturnType<typeof makeTempDir> | undefined;
  beforeEach(async () => {
    temp = makeTempDir(label);
    state.dir = temp.path;
    state.warnings = [];
    vi.spyOn(console, "warn").mockImplementation((message: string) => void state.warnings.push(message));
    await resetStores();
    configure(settings(temp.path));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await clearAll();
    await closeStores();
    temp?.remove();
  });
  return state;
}
