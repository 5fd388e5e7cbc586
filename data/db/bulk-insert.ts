/**
 * Fast, parameterised bulk insert for both engines: rows travel as ONE JSON parameter per chunk and are
 * expanded server-side with json_to_recordset, so 100k rows are a handful of statements instead of 100k.
 * Column names and SQL types come from the caller's allow-list (code, never input).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';

export type ColumnKind = 'text' | 'integer' | 'bigint' | 'double precision' | 'boolean' | 'jsonb' | 'date' | 'timestamptz'
  | 'text[]' | 'double precision[]' | 'geometry';

export interface BulkColumn {
  name: string;
  kind: ColumnKind;
}

const CHUNK = 20_000;

/**
 * Insert `rows` (objects keyed by column name; geometry columns hold GeoJSON geometry objects in
 * WGS-84) into `table`. Returns the number of rows inserted.
 */
export async function bulkInsert(db: Kysely<any>, table: string, columns: BulkColumn[], rows: Record<string, unknown>[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const defs = sql.join(columns.map((c) => sql`${sql.id(c.name)} ${sql.raw(c.kind === 'geometry' ? 'json' : c.kind)}`));
    const exprs: RawBuilder<unknown>[] = columns.map((c) =>
      c.kind === 'geometry' ? sql`ST_SetSRID(ST_GeomFromGeoJSON(r.${sql.id(c.name)}::text), 4326)` : sql`r.${sql.id(c.name)}`);
    const res = await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.id(c.name)))})
      SELECT ${sql.join(exprs)} FROM json_to_recordset(${JSON.stringify(chunk)}::json) AS r(${defs})`.execute(db);
    n += Number(res.numAffectedRows ?? chunk.length);
  }
  return n;
}
