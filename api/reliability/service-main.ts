/**
 * The service as a process of its own, for the reliability suite and benchmark (issue 17): the same openDatabase
 * (lock and damage check on an embedded data directory) and WanggeApp as `wangge serve`, without the demo load and
 * the web bundle, on 127.0.0.1 and a free port, logging nothing. Prints `LISTENING <port>` on stdout once it
 * listens; a failure to open prints its message on stderr and exits 4 (conflict) or 1. SIGTERM and SIGINT stop
 * the server and close the database (an embedded one is sealed); a watchdog ends a forgotten process.
 *
 *   node --import tsx api/reliability/service-main.ts --dir <data dir> [--url postgres://…] [--watchdog ms]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../data/db/connect.ts';
import { isWanggeError } from '../../data/errors.ts';
import { loadConfig } from '../config.ts';
import { WanggeApp } from '../app.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' }, url: { type: 'string' }, watchdog: { type: 'string', default: '600000' } } });
if (!values.dir) throw new Error('--dir is required');
const dir = values.dir;

const watchdog = setTimeout(() => {
  process.stderr.write('service-main: watchdog, exiting\n');
  process.exit(3);
}, Number(values.watchdog));
watchdog.unref();

try {
  const database = await openDatabase(values.url ? { url: values.url } : { dataDir: path.join(dir, 'db') });
  const config = loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: '0', WANGGE_DATA_DIR: dir, LOG_LEVEL: 'silent', PUBLIC_URL: '' });
  const app = new WanggeApp(config, database, { webDir: null, auth: { writesRequireLogin: true } });
  await app.start();
  process.stdout.write(`LISTENING ${app.port}\n`);
  const stop = async () => {
    await app.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
} catch (e) {
  process.stderr.write(`${(e as Error)?.message ?? String(e)}\n`);
  process.exit(isWanggeError(e) && e.code === 'conflict' ? 4 : 1);
}
