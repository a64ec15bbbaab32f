/*
 * A small HTTP API over the declarations TypeScript ships in its lib files.
 * - `openCatalog` is a singleton: the in-memory index is built once per process and
 *   shared by every request (a database client or connection pool plays this role in
 *   a real service).
 * - `findDeclarations` is a memo query: the first request for a term scans the
 *   catalog, later requests for the same term are answered from the cache.
 *
 *   node --import automemo/register examples/http-server/server.ts
 *   curl 'http://localhost:3000/search?q=Promise'
 *   curl 'http://localhost:3000/stats'
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { stats } from "automemo";

interface Declaration {
  file: string;
  line: number;
  text: string;
}

class DeclarationCatalog {
  constructor(private readonly files: ReadonlyMap<string, readonly string[]>) {}

  /** Lines that declare `term` (interface, type, class, function, var, const). */
  search(term: string): Declaration[] {
    const declaration = new RegExp(`^\\s*(?:declare\\s+)?(?:interface|type|class|function|var|const)\\s+${term.replace(/[^\w$]/g, "")}\\b`);
    const found: Declaration[] = [];
    for (const [file, lines] of this.files) {
      lines.forEach((text, index) => {
        if (declaration.test(text)) found.push({ file, line: index + 1, text: text.trim() });
      });
    }
    return found;
  }
}

/** @singleton */
function openCatalog(folder: string): DeclarationCatalog {
  const files = new Map<string, string[]>();
  for (const name of readdirSync(folder).filter((entry) => /^lib\..+\.d\.ts$/.test(entry))) {
    files.set(name, readFileSync(join(folder, name), "utf8").split("\n"));
  }
  return new DeclarationCatalog(files);
}

const libFolder = dirname(createRequire(import.meta.url).resolve("typescript/lib/lib.d.ts"));

/** @memo { ttl: "10m", maxEntries: 500 } */
async function findDeclarations(term: string): Promise<Declaration[]> {
  return openCatalog(libFolder).search(term);
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? "/", "http://localhost");
  const send = (status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  if (url.pathname === "/search") {
    const term = url.searchParams.get("q") ?? "";
    if (!/^[\w$]+$/.test(term)) return send(400, { error: "q must be an identifier, e.g. /search?q=Promise" });
    const declarations = await findDeclarations(term);
    return send(200, { term, count: declarations.length, declarations: declarations.slice(0, 20) });
  }
  if (url.pathname === "/stats") {
    return send(200, { findDeclarations: stats(findDeclarations), openCatalog: stats(openCatalog) });
  }
  send(404, { error: "try /search?q=Promise or /stats" });
});

server.listen(Number(process.env.PORT ?? 3000), () => {
  const address = server.address();
  console.log(`listening on http://localhost:${typeof address === "object" && address ? address.port : process.env.PORT}`);
});
