#!/usr/bin/env node
/**
 * `automemo <command> [...]`: one table of subcommands; each entry parses its own
 * arguments and resolves with the exit code.
 */
import { AutomemoError } from "../runtime/errors.ts";
import { cacheSubcommand } from "./cache-command.ts";
import { checkSubcommand } from "./check-command.ts";
import { runSubcommand } from "./run-command.ts";

interface Subcommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[]): Promise<number>;
}

const SUBCOMMANDS: readonly Subcommand[] = [runSubcommand, cacheSubcommand, checkSubcommand];

function overview(): string {
  const width = Math.max(...SUBCOMMANDS.map((command) => command.name.length));
  return ["Usage: automemo <command> [options]", "", "Commands:", ...SUBCOMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`)].join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(overview());
    return name === undefined ? 1 : 0;
  }
  const command = SUBCOMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    console.error(`[automemo] Unknown command '${name}'.\n${overview()}`);
    return 1;
  }
  if (args[0] === "--help" || args[0] === "-h") {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (!(error instanceof AutomemoError)) throw error;
    console.error(error.message);
    return 1;
  }
}

// exitCode, not exit(): a script started by `automemo run` may keep the process alive (a server, pending writes).
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
