/** How TypeScript authors spell imports of TS files, for the ESM and CommonJS resolvers. */

/** `automemo run --watch` imports the entry with this search parameter; the resolve hook copies it to every project module the entry reaches, so they all evaluate afresh. */
export const RERUN_PARAM = "automemo-rerun";

export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/") || specifier.startsWith("file:");
}

/** What a TS author meant by a relative specifier that does not exist as written. */
export function typeScriptCandidates(specifier: string): string[] {
  const swapped = specifier.replace(/\.([cm]?)js(x?)$/, ".$1ts$2");
  if (swapped !== specifier) return swapped.endsWith(".ts") ? [swapped, `${swapped}x`] : [swapped];
  if (/\.[a-z]+$/i.test(specifier)) return [];
  return [`${specifier}.ts`, `${specifier}.tsx`, `${specifier}/index.ts`, `${specifier}.js`, `${specifier}/index.js`];
}
