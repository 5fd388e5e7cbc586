/**
 * The lookup of a position as a PL/pgSQL function: its statement is planned once per connection and reused,
 * which matters for the busiest read of the service (phones asking "which grid am I in?").
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE OR REPLACE FUNCTION wangge_lookup(p_lon float8, p_lat float8)
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
        (SELECT json_build_object('code', gr.code, 'name', gr.name, 'households', gr.households, 'planId', gr."planId", 'communityCode', gr."communityCode") FROM gr)::text,
        (SELECT json_agg(json_build_object('name', st.name, 'role', st.role, 'department', st.department, 'phone', st.phone)
           ORDER BY CASE st.role WHEN 'leader' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, st.id) FROM st)::text;
    END
  $fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS wangge_lookup(float8, float8)`.execute(db);
}
