// vitest global setup: build the migrated embedded-engine snapshot once per run (a file of its own, removed at
// the end), and say which engines run.
import { rmSync } from 'node:fs';
import { buildEmbeddedSnapshot, testEngines } from './test-engines.ts';

export default async function setup(): Promise<() => void> {
  process.stderr.write(`wangge tests: engines = ${testEngines().join(', ')}\n`);
  const file = await buildEmbeddedSnapshot();
  process.env.WANGGE_TEST_SNAPSHOT = file;
  return () => rmSync(file, { force: true });
}
