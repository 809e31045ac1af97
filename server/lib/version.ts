import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/** The package version, found by walking up from this file (works from server/ and dist/). */
export function appVersion(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      cached = String(JSON.parse(readFileSync(file, 'utf8')).version ?? '0.0.0');
      return cached;
    }
    dir = path.dirname(dir);
  }
  return (cached = '0.0.0');
}
