/**
 * Run by test/core/raw-transfer.test.ts under another Node: transforms every fixture
 * with the text host and prints, as JSON, whether oxc's raw transfer was in use and
 * each fixture's output (or its error text, as `error.txt` holds it).
 */
import { rawTransferSupported } from "oxc-parser";
import { fixtureErrorText, loadFixtures, transformAsTextHost } from "../../support/fixtures.ts";

const outputs: Record<string, { output: string } | { error: string }> = {};
for (const fixture of loadFixtures()) {
  try {
    outputs[fixture.name] = { output: transformAsTextHost(fixture.input, fixture.filename, fixture.options) ?? fixture.input };
  } catch (error) {
    outputs[fixture.name] = { error: fixtureErrorText(error) };
  }
}
process.stdout.write(JSON.stringify({ rawTransfer: rawTransferSupported(), node: process.version, outputs }));
