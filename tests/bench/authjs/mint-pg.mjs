// Prints a valid `authjs.session-token` value for server-pg.mjs: a session row for "Demo User"
// (its own email, so the database example's demo user is left alone) written through
// @auth/pg-adapter's own `createUser` / `createSession`, with a random token as Auth.js makes
// one (`randomUUID`) and the 30 days of Auth.js's default `maxAge`. The user's earlier rows
// are deleted first, so repeated runs leave one.
//
//   DATABASE_URL=postgres://... node mint-pg.mjs
import { randomUUID } from "node:crypto";
import PostgresAdapter from "@auth/pg-adapter";
import pg from "pg";

const connectionString = process.env.DATABASE_URL;
if (!connectionString) {
  console.error("DATABASE_URL is required");
  process.exit(2);
}

const pool = new pg.Pool({ connectionString, max: 1 });
try {
  const adapter = PostgresAdapter(pool);
  const email = "authjs-bench@example.com";
  const user =
    (await adapter.getUserByEmail(email)) ??
    (await adapter.createUser({ name: "Demo User", email, emailVerified: null }));
  await pool.query('DELETE FROM sessions WHERE "userId" = $1', [user.id]);
  const sessionToken = randomUUID();
  await adapter.createSession({
    sessionToken,
    userId: user.id,
    expires: new Date(Date.now() + 30 * 24 * 60 * 60 * 1000),
  });
  process.stdout.write(`${sessionToken}\n`);
} finally {
  await pool.end();
}
