// Open each pathway file and save it again the way bpmn.io and Camunda Modeler do: bpmn-moddle with the
// Camunda 7 extension. Usage: node roundtrip.mjs OUT_DIR FILE...  Writes OUT_DIR/<name of FILE>.
// Prints one line of JSON per file: {"file", "warnings"} (moddle's import warnings: unknown elements etc.).
import { readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import BpmnModdle from "bpmn-moddle";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json" with { type: "json" };

const [outDir, ...files] = process.argv.slice(2);
if (!outDir || files.length === 0) {
  console.error("usage: node roundtrip.mjs OUT_DIR FILE...");
  process.exit(2);
}
const moddle = new BpmnModdle({ camunda: camundaModdle });
for (const file of files) {
  const { rootElement, warnings } = await moddle.fromXML(await readFile(file, "utf8"));
  const { xml } = await moddle.toXML(rootElement, { format: true });
  await writeFile(join(outDir, basename(file)), xml);
  console.log(JSON.stringify({ file, warnings: warnings.map((w) => w.message) }));
}
