/**
 * Import cycles in the shipped code (runtime/, transformer/, cli/), run by `npm run lint`.
 * Type-only imports count too: they run no code, but a cycle through them still ties
 * the files into one unit that a reader cannot take in one at a time.
 * @type {import("dependency-cruiser").IConfiguration}
 */
export default {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycle: move what both files need into a third one, or pass it in.",
      from: {},
      to: {
        circular: true,
        // One exception: runtime/handle/entry.ts names its Table in a type-only import (an
        // entry knows the table that holds it), and table.ts creates entries.
        viaOnly: { pathNot: "^runtime/handle/table[.]ts$" },
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Sees `import type` (erased by the compiler) as well.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
