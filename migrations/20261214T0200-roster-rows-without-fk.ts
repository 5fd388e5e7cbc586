/**
 * A roster of 100,000 households writes ~300,000 people rows in one statement; the foreign keys of roster_people
 * and roster_households to hazard_areas fired a check per row (seconds of the 10 s allowed, issue 14), for rows
 * that are only ever written by buildRoster, in the transaction that has just made their hazard area. The keys
 * go; the rows still go with their jurisdiction (deleteJurisdiction) and ticks keep theirs.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE roster_people DROP CONSTRAINT roster_people_area_fk`.execute(db);
  await sql`ALTER TABLE roster_households DROP CONSTRAINT roster_households_area_fk`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE roster_households ADD CONSTRAINT roster_households_area_fk FOREIGN KEY (jcode, roster_id) REFERENCES hazard_areas (jcode, id) ON DELETE CASCADE`.execute(db);
  await sql`ALTER TABLE roster_people ADD CONSTRAINT roster_people_area_fk FOREIGN KEY (jcode, roster_id) REFERENCES hazard_areas (jcode, id) ON DELETE CASCADE`.execute(db);
}
