// vitest global setup: build the migrated embedded-engine snapshot once per run, and say which engines run.
import { buildEmbeddedSnapshot, testEngines } from './test-engines.ts';

export default async function setup(): Promise<void> {
  process.stderr.write(`wangge tests: engines = ${testEngines().join(', ')}\n`);
  await buildEmbeddedSnapshot();
}
