/**
 * What a citizen may call (issue 17): a grid's service phone, a number the grid office publishes (a desk or duty
 * phone), kept apart from the staff's personal mobiles in grid_staff. Keyed by (jcode, grid_code) like the staff,
 * so it survives re-partitioning with the same codes. The lookup function answers it with the grid.
 */
import { sql, type Kysely } from 'kysely';

const LOOKUP = (withServicePhone: boolean) => sql`CREATE OR REPLACE FUNCTION wangge_lookup(p_lon float8, p_lat float8)
    RETURNS TABLE (places text, grid text, staff text) LANGUAGE plpgsql STABLE AS $fn$
    BEGIN
      RETURN QUERY
      WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4326) AS g),
      js AS (SELECT j.jcode, j.code, j.name, j.level FROM jurisdictions j, pt WHERE j.geom && pt.g AND ST_Intersects(j.geom, pt.g)),
      gr AS (
        SELECT g.jcode, g.code, g.name, g.households, g.plan_id AS "planId", g.community_code AS "communityCode"
        FROM grids g JOIN grid_plans p ON p.jcode = g.jcode AND p.id = g.plan_id AND p.status = 'published', pt
        WHERE g.jcode IN (SELECT js.jcode FROM js) AND g.geom && pt.g AND ST_Intersects(g.geom, pt.g)
        ORDER BY ST_Contains(g.geom, pt.g) DESC, g.code LIMIT 1),
      st AS (
        SELECT s.name, s.role, s.department, s.phone, s.id FROM grid_staff s JOIN gr ON s.jcode = gr.jcode AND s.grid_code = gr.code)
      SELECT (SELECT json_agg(json_build_object('jcode', js.jcode, 'code', js.code, 'name', js.name, 'level', js.level)) FROM js)::text,
        (SELECT json_build_object('code', gr.code, 'name', gr.name, 'households', gr.households, 'planId', gr."planId", 'communityCode', gr."communityCode"${
          withServicePhone ? sql.raw(`, 'servicePhone', (SELECT sp.phone FROM grid_service_phones sp WHERE sp.jcode = gr.jcode AND sp.grid_code = gr.code)`) : sql.raw('')}) FROM gr)::text,
        (SELECT json_agg(json_build_object('name', st.name, 'role', st.role, 'department', st.department, 'phone', st.phone)
           ORDER BY CASE st.role WHEN 'leader' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, st.id) FROM st)::text;
    END
  $fn$`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('grid_service_phones')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('grid_code', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('grid_service_phones_pk', ['jcode', 'grid_code'])
    .execute();
  await LOOKUP(true).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await LOOKUP(false).execute(db);
  await db.schema.dropTable('grid_service_phones').ifExists().execute();
}
