import type { Command } from 'commander';
import { cliConfig, openCliDatabase, stderrProgress } from '../context.ts';
import { WanggeApp } from '../../app.ts';
import { bootstrapDemo } from '../../bootstrap.ts';
import { createDemoAccounts } from '../../auth/demo-accounts.ts';
import { auditChainOf } from '../../auth/audit-log.ts';
import { buildWebBundle, webBundleExists } from '../../web-bundle.ts';
import { WanggeError } from '../../../spatial/errors.ts';
import type { Database } from '../../../data/db/connect.ts';

interface ServeOptions {
  demo?: boolean;
  port?: string;
  host?: string;
}

function portOption(raw: string | undefined, dflt: number): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new WanggeError('bad_request', `--port must be an integer from 0 to 65535, got ${JSON.stringify(raw)}`, { parameter: 'port' });
  return n;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * `wangge serve [--demo] [--port N] [--host H]`: open the database (embedded unless DATABASE_URL), build the
 * web bundle if web/dist is missing, with --demo load and partition the sample town into an empty database,
 * then serve the API and the map, printing the URL on stdout. SIGINT/SIGTERM: close the server, then the
 * database.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the API and the map (http://localhost:PORT); --demo loads the sample town into an empty database')
    .option('--demo', 'load and partition the sample town when the database holds no jurisdiction')
    .option('--port <port>', 'HTTP port (default PORT or 3000; 0 picks a free port)')
    .option('--host <host>', 'address to bind (default HOST or 127.0.0.1)')
    .action(async (opts: ServeOptions) => {
      const base = cliConfig();
      const config = Object.freeze({ ...base, port: portOption(opts.port, base.port), host: opts.host ?? base.host });
      const progress = stderrProgress();

      process.stderr.write(`opening the ${config.databaseUrl ? 'server' : 'embedded'} database…\n`);
      let web: Promise<void> = Promise.resolve();
      let database: Database | null = null;
      let app: WanggeApp | null = null;
      try {
        // the database first: a locked or damaged one ends the command at once, with its message
        const db = await openCliDatabase(config);
        database = db;
        for (const n of db.notices ?? []) process.stderr.write(`note: ${n}\n`);
        web = webBundleExists()
          ? Promise.resolve()
          : (process.stderr.write('building the web bundle (web/dist)…\n'), buildWebBundle(undefined, { quiet: true }).then(() => undefined));
        process.stderr.write(`database ${db.location} (${db.caps.engine}, PostGIS ${db.caps.postgis})\n`);
        if (opts.demo) {
          const r = await bootstrapDemo(db.db, config, progress);
          progress.stop();
          if (r.loaded) process.stderr.write(`sample town loaded: jurisdiction ${r.jcode}, published plan ${r.planId}\n`);
          // demo accounts with random passwords, shown once (stdout) and never stored in clear
          for (const a of await createDemoAccounts(db.db)) {
            process.stdout.write(`demo account ${a.name} (${a.role}${a.grids.length ? ` ${a.grids.join(',')}` : ''}) password: ${a.password}\n`);
          }
        }
        await web;
        // the audit key: AUDIT_KEY, else <data dir>/audit.key, generated now on the first start
        app = new WanggeApp(config, db, { audit: auditChainOf(config.auditKey, config.dataDir) });
        // until here a signal ends the process the default way (the loads are single transactions)
        const signal = untilSignal();
        const url = await app.start().catch((e: NodeJS.ErrnoException) => {
          if (e?.code === 'EADDRINUSE') throw new WanggeError('conflict', `port ${config.port} on ${config.host} is in use: set PORT or --port`, { parameter: 'port' });
          throw e;
        });
        process.stdout.write(`Wangge 网格: ${url}\n`);
        const s = await signal;
        process.stderr.write(`${s}: shutting down\n`);
      } finally {
        progress.stop();
        await web.catch(() => undefined);
        if (app) await app.stop();
        if (database) await database.close();
      }
    });
}
