/** What every route module receives from the app: the database and its probed capabilities. */
import type { Kysely } from 'kysely';
import type { Capabilities } from '../../data/db/capabilities.ts';
import type { DB } from '../../data/db/schema.ts';

export interface RouteContext {
  db: Kysely<DB>;
  caps: Capabilities;
  version: string;
}
