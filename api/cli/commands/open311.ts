/**
 * `wangge open311 key add --name <client> --jcode <j>`: register an outside Open311 client (a residents' app, a
 * city portal) of a jurisdiction and print its new api_key on stdout, once (only its SHA-256 is stored, in
 * open311_clients; a lost key is revoked and made again). `wangge open311 key list` lists the clients (never a
 * key), `wangge open311 key revoke <name> [--jcode <j>]` stops a key at once.
 */
import type { Command } from 'commander';
import { withCliDatabase } from '../context.ts';
import { createOpen311Client, listOpen311Clients, revokeOpen311Client } from '../../../domain/events/open311-clients.ts';

export function registerOpen311(program: Command): void {
  const open311 = program.command('open311').description('Open311 GeoReport v2 (/open311/v2): the api_keys of outside clients');
  const key = open311.command('key').description("outside clients' api_keys: add, list, revoke");
  key.command('add')
    .description('register a client of a jurisdiction and print its new api_key (shown this once; only its hash is kept)')
    .requiredOption('--name <client>', 'name of the client, unique in its jurisdiction (e.g. suishoupai-app)')
    .requiredOption('--jcode <jcode>', 'the jurisdiction its requests go to')
    .action(async (opts: { name: string; jcode: string }) => {
      const made = await withCliDatabase((d) => createOpen311Client(d.db, opts.jcode, opts.name));
      process.stdout.write(`${made}\n`);
      process.stderr.write(`api_key of Open311 client ${opts.name.trim()} (${opts.jcode}) above: give it to the client now, it is not shown again\n`);
    });
  key.command('list')
    .description('list the clients (never their keys)')
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }) => {
      const clients = await withCliDatabase((d) => listOpen311Clients(d.db));
      if (opts.json) process.stdout.write(`${JSON.stringify(clients, null, 2)}\n`);
      else for (const c of clients) process.stdout.write(`${c.name}\t${c.jcode}\t${c.createdAt}\n`);
    });
  key.command('revoke')
    .description("revoke a client's api_key: its posts are refused (403) from now on")
    .argument('<name>', 'client name')
    .option('--jcode <jcode>', 'the jurisdiction (needed when the name is used in more than one)')
    .action(async (name: string, opts: { jcode?: string }) => {
      const jcode = await withCliDatabase((d) => revokeOpen311Client(d.db, name, opts.jcode));
      process.stdout.write(`Open311 client ${name} (${jcode}) revoked\n`);
    });
}
