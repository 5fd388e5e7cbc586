/**
 * First start of the demo (`wangge serve --demo`, `npm start`): when the database holds no jurisdiction,
 * generate the sample town, load it, partition it, publish the plan and give every grid its staff (a leader
 * and members with phones) and a service phone for citizens, so every screen has something to show.
 */
import { sql, type Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { DB } from '../data/db/schema.ts';
import { generateTown, loadTown, assignStaff } from '../data/generator/index.ts';
import { partitionJurisdiction, publishPlan } from '../spatial/partition/index.ts';
import { noProgress, subProgress, type ProgressFn } from '../spatial/progress.ts';
import { generateSampleEvents } from '../domain/events/sample-events.ts';

export interface BootstrapResult {
  /** false when the database already held a jurisdiction and nothing was done */
  loaded: boolean;
  jcode: string | null;
  planId: number | null;
}

/**
 * Every grid of the plan gets a service phone (the number citizens see instead of the staff's own mobiles; issue
 * 17): fictitious desk numbers 0531-99NNNNNN, like the sample town's other made-up data.
 */
export async function assignServicePhones(db: Kysely<DB>, jcode: string, planId: number): Promise<void> {
  await sql`INSERT INTO grid_service_phones (jcode, grid_code, phone)
    SELECT g.jcode, g.code, '0531-99' || lpad((row_number() OVER (ORDER BY g.code))::text, 6, '0')
    FROM grids g WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint
    ON CONFLICT (jcode, grid_code) DO NOTHING`.execute(db);
}

/** Whether any jurisdiction is loaded. */
export async function hasJurisdiction(db: Kysely<DB>): Promise<boolean> {
  return (await db.selectFrom('jurisdictions').select('jcode').limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Load and partition the sample town when the database holds no jurisdiction. Sizes come from the config
 * (SAMPLE_HOUSEHOLDS, SAMPLE_SEED); grids of 400-600 households; the plan is published.
 */
export async function bootstrapDemo(db: Kysely<DB>, config: Readonly<Config>, progress: ProgressFn = noProgress): Promise<BootstrapResult> {
  if (await hasJurisdiction(db)) return { loaded: false, jcode: null, planId: null };
  progress({ phase: 'sample town', percent: 0, message: `generating ${config.sampleHouseholds} households (seed ${config.sampleSeed})` });
  const town = generateTown({ households: config.sampleHouseholds, seed: config.sampleSeed });
  const { jcode } = await loadTown(db, town, { progress: subProgress(progress, 5, 40) });
  const result = await partitionJurisdiction(db, { jcode, min: 400, max: 600, seed: 1, progress: subProgress(progress, 40, 96) });
  await publishPlan(db, jcode, result.planId);
  await assignStaff(db, jcode, result.planId);
  await assignServicePhones(db, jcode, result.planId);
  // events of the last week in every stage and light (issue 20)
  await generateSampleEvents(db, jcode, { count: 150, seed: config.sampleSeed });
  progress({ phase: 'sample town', percent: 100, message: `jurisdiction ${jcode}, plan ${result.planId} published with its grid staff` });
  return { loaded: true, jcode, planId: result.planId };
}
