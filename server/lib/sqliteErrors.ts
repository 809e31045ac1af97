/** True when err is SQLite's UNIQUE constraint failure (optionally on a given column). */
export function isUniqueViolation(err: unknown, column?: string): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e?.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
  return column ? String(e.message).includes(column) : true;
}
