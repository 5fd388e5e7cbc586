/**
 * `wangge user add --name <n> --role <admin|planner|commander|grid_worker> [--grid <code>…] [--jcode <j>] --password-stdin` (a grid_worker needs --jcode)
 * `wangge user list`, `wangge user disable <name>`. The password is read from stdin only (never an argument,
 * which would show in the process list and shell history); there is no default password.
 */
import type { Command } from 'commander';
import { withCliDatabase as withDb } from '../context.ts';
import { WanggeError } from '../../../spatial/errors.ts';
import { createUser, disableUser, listUsers } from '../../auth/users.ts';
import { isRole } from '../../auth/roles.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
    size += b.length;
    if (size > 4096) throw new WanggeError('bad_request', 'the password on stdin is longer than 4096 bytes', { parameter: 'password-stdin' });
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

interface AddOptions { name: string; role: string; grid?: string[]; jcode?: string; passwordStdin?: boolean }

export function registerUser(program: Command): void {
  const user = program.command('user').description('accounts: add, list, disable');
  user.command('add')
    .description('add an account; the password is read from stdin (--password-stdin)')
    .requiredOption('--name <name>', 'account name')
    .requiredOption('--role <role>', 'admin | planner | commander | grid_worker')
    .option('--grid <code...>', 'grid codes of a grid_worker')
    .option('--jcode <jcode>', 'limit the account to one jurisdiction (required for a grid_worker: grid codes repeat across jurisdictions)')
    .option('--password-stdin', 'read the password from stdin')
    .action(async (opts: AddOptions) => {
      if (!opts.passwordStdin) throw new WanggeError('bad_request', 'give the password on stdin with --password-stdin', { parameter: 'password-stdin' });
      if (!isRole(opts.role)) throw new WanggeError('bad_request', 'role must be admin, planner, commander or grid_worker', { parameter: 'role' });
      const password = await readStdin();
      const role = opts.role;
      const u = await withDb((d) => createUser(d.db, { name: opts.name, role, password, grids: opts.grid ?? [], jcode: opts.jcode ?? null }));
      process.stdout.write(`user ${u.name} (${u.role}${u.grids.length ? `, grids ${u.grids.join(' ')}` : ''}${u.jcode ? `, jurisdiction ${u.jcode}` : ''}) added\n`);
    });
  user.command('list')
    .description('list accounts (never passwords)')
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }) => {
      const users = await withDb((d) => listUsers(d.db));
      if (opts.json) process.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
      else for (const u of users) process.stdout.write(`${u.name}\t${u.role}\t${u.jcode ?? '*'}\t${u.grids.join(',') || '-'}\t${u.disabled ? 'disabled' : 'active'}\n`);
    });
  user.command('disable')
    .description('disable an account and end its sessions')
    .argument('<name>', 'account name')
    .action(async (name: string) => {
      await withDb((d) => disableUser(d.db, name));
      process.stdout.write(`user ${name} disabled\n`);
    });
}
