/**
 * Run by test/core/raw-transfer.test.ts under another Node: transforms every fixture
 * with the text host and prints, as JSON, whether oxc's raw transfer was in use and
 * each fixture's output or error code.
 */
import { rawTransferSupported } from "oxc-parser";
import { transformSource } from "../../../transformer/core/index.ts";
import { FIXTURE_ROOT, loadFixtures } from "../../support/fixtures.ts";

const outputs: Record<string, string> = {};
for (const fixture of loadFixtures()) {
  try {
    const result = transformSource(fixture.input, { filename: fixture.filename, root: FIXTURE_ROOT, runtimeModule: fixture.options.runtimeModule, moduleFormat: fixture.options.moduleFormat });
    outputs[fixture.name] = result?.code ?? fixture.input;
  } catch (error) {
    outputs[fixture.name] = `error ${(error as { code?: string }).code}`;
  }
}
process.stdout.write(JSON.stringify({ rawTransfer: rawTransferSupported(), node: process.version, outputs }));
