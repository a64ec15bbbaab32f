/**
 * A report on the API surface TypeScript ships in its lib files (lib.dom.d.ts,
 * lib.es2023.array.d.ts, ...): about 4 MB of declarations in 100+ files, parsed and
 * type-checked with the TypeScript compiler. Each step takes a second or more cold;
 * the second run answers from the disk cache. `automemo run` persists memo results on
 * disk by default; the tags also say `persist: "disk"` so the report is just as fast
 * under `node --import automemo/register`.
 *
 *   npx automemo run examples/demo/report.ts
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import ts from "typescript";

const libFolder = dirname(createRequire(import.meta.url).resolve("typescript/lib/lib.d.ts"));

function libFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((name) => /^lib\..+\.d\.ts$/.test(name))
    .sort()
    .map((name) => join(folder, name));
}

interface DeclarationCounts {
  file: string;
  interfaces: number;
  functions: number;
  variables: number;
  typeAliases: number;
  members: number;
}

/** @memo { persist: "disk" } */
function countDeclarations(folder: string): DeclarationCounts[] {
  return libFiles(folder).map((path) => {
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
    const counts: DeclarationCounts = { file: path.slice(folder.length + 1), interfaces: 0, functions: 0, variables: 0, typeAliases: 0, members: 0 };
    const visit = (node: ts.Node): void => {
      if (ts.isInterfaceDeclaration(node)) counts.interfaces++;
      else if (ts.isFunctionDeclaration(node)) counts.functions++;
      else if (ts.isVariableDeclaration(node)) counts.variables++;
      else if (ts.isTypeAliasDeclaration(node)) counts.typeAliases++;
      else if (ts.isPropertySignature(node) || ts.isMethodSignature(node)) counts.members++;
      ts.forEachChild(node, visit);
    };
    visit(source);
    return counts;
  });
}

/** @memo { persist: "disk" } */
function largestInterfaces(folder: string, top: number): { name: string; members: number; declaredIn: number }[] {
  const program = ts.createProgram(libFiles(folder), { noEmit: true, noLib: true, target: ts.ScriptTarget.Latest });
  const checker = program.getTypeChecker();
  const seen = new Map<string, { members: number; declaredIn: number }>();
  for (const source of program.getSourceFiles()) {
    for (const statement of source.statements) {
      if (!ts.isInterfaceDeclaration(statement) || seen.has(statement.name.text)) continue;
      const symbol = checker.getSymbolAtLocation(statement.name);
      if (!symbol) continue;
      // Interfaces merge across lib files (Array gains members in es2015, es2016, ...): count the merged type.
      const members = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)).length;
      seen.set(statement.name.text, { members, declaredIn: symbol.declarations?.length ?? 0 });
    }
  }
  return [...seen]
    .map(([name, info]) => ({ name, ...info }))
    .sort((a, b) => b.members - a.members || a.name.localeCompare(b.name))
    .slice(0, top);
}

/** @memo { persist: "disk" } */
function deprecatedApis(folder: string): { file: string; name: string }[] {
  const found: { file: string; name: string }[] = [];
  for (const path of libFiles(folder)) {
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      const name = (node as { name?: ts.Node }).name;
      if (name && ts.isIdentifier(name) && ts.getJSDocDeprecatedTag(node)) found.push({ file: path.slice(folder.length + 1), name: name.text });
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

const started = performance.now();
const counts = countDeclarations(libFolder);
const total = (key: keyof Omit<DeclarationCounts, "file">) => counts.reduce((sum, file) => sum + file[key], 0);
console.log(`TypeScript ${ts.version}: ${counts.length} lib files`);
console.log(`  ${total("interfaces")} interfaces, ${total("members")} members, ${total("functions")} functions, ${total("variables")} variables, ${total("typeAliases")} type aliases`);

console.log("Largest interfaces (members after merging every lib file):");
for (const entry of largestInterfaces(libFolder, 5)) console.log(`  ${entry.name.padEnd(28)} ${String(entry.members).padStart(4)} members, declared in ${entry.declaredIn} places`);

const deprecated = deprecatedApis(libFolder);
const perFile = new Map<string, string[]>();
for (const entry of deprecated) perFile.set(entry.file, [...(perFile.get(entry.file) ?? []), entry.name]);
const [worstFile, worstNames] = [...perFile].sort((a, b) => b[1].length - a[1].length)[0] ?? ["none", []];
console.log(`${deprecated.length} deprecated declarations; most in ${worstFile} (${worstNames.length}), e.g. ${worstNames.slice(0, 3).join(", ")}`);
console.log(`report computed in ${((performance.now() - started) / 1000).toFixed(2)} s`);
