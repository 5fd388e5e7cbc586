/**
 * A throw-away database beside DATABASE_URL / TEST_DATABASE_URL for a benchmark on the server engine: created
 * fresh, dropped afterwards.
 */
import pg from 'pg';

export async function freshServerDb(serverUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const run = async (q: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try { await c.query(q); } finally { await c.end(); }
  };
  await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await run(`CREATE DATABASE ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
