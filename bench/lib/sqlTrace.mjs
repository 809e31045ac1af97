// Preload (node --import) for one bench server run: records every SQL text the server prepares
// through better-sqlite3 (Kysely prepares each query it runs) with a count, written as JSON to
// $BENCH_SQL_TRACE at exit. The harness then runs EXPLAIN QUERY PLAN on the server's real queries.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const counts = new Map();
const orig = Database.prototype.prepare;
Database.prototype.prepare = function prepare(sql, ...rest) {
  if (counts.size < 5000 || counts.has(sql)) counts.set(sql, (counts.get(sql) ?? 0) + 1);
  return orig.call(this, sql, ...rest);
};
process.on('exit', () => {
  if (process.env.BENCH_SQL_TRACE) writeFileSync(process.env.BENCH_SQL_TRACE, JSON.stringify([...counts]));
});
