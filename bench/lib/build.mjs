import path from 'node:path';
import { readdirSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { REPO } from './server.mjs';

/**
 * Transpiles server/ and migrations/ (no tests) to plain ESM with esbuild (tsx's own transpiler,
 * file by file, no bundling) under node_modules/.cache/chat-bench, so the bench runs the server
 * the way prod.sh does (`node dist/server/main.js`): no loader hooks, startup as in production.
 * Returns the path of main.js, or null when esbuild is unavailable (the harness then uses tsx).
 */
export async function buildServer() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'test' && e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(path.join(REPO, 'server'));
  walk(path.join(REPO, 'migrations'));
  const outdir = path.join(REPO, 'node_modules', '.cache', 'chat-bench');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await esbuild.build({ entryPoints: files, outdir, outbase: REPO, format: 'esm', platform: 'node', target: 'node20', bundle: false, logLevel: 'silent' });
  // Inside node_modules Node stops looking for the package scope, so declare ESM here.
  writeFileSync(path.join(outdir, 'package.json'), '{"type":"module"}\n');
  return path.join(outdir, 'server', 'main.js');
}
