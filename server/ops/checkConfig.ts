import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config.js';

export interface ConfigCheck {
  ok: boolean;
  /** Everything that must be fixed before the server can start (all of them, not just the first). */
  problems: string[];
  /** Operator notes that do not stop a start (e.g. web search disabled). */
  warnings: string[];
  /** A one-line-per-setting summary to print when the configuration is valid (no secrets). */
  summary: string[];
}

/**
 * Validates the configuration the server would start with, the same way the server does
 * (server/config.ts), plus what a production start needs on disk: the built web client when
 * STATIC_DIR is set. Used by `npm run check-config` and prod.sh before anything is started.
 */
export function checkConfig(env?: Record<string, string | undefined>, opts: { cwd?: string } = {}): ConfigCheck {
  let config: Config;
  try {
    config = loadConfig(env, opts);
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, problems: err.problems, warnings: [], summary: [] };
    throw err;
  }
  const problems: string[] = [];
  if (config.staticDir && !existsSync(path.join(config.staticDir, 'index.html'))) {
    problems.push(`STATIC_DIR: ${config.staticDir} has no index.html (build the client first: npm run build:client)`);
  }
  const summary = [
    `mode: ${config.env}`,
    `listen: ${config.host}:${config.port}`,
    `public URL: ${config.publicUrl}`,
    `database: ${config.databasePath}`,
    `uploads: ${config.uploadDir}`,
    `backups: ${config.backupDir} (keep ${config.backupKeep})`,
    `web client: ${config.staticDir ?? 'not served (STATIC_DIR unset)'}`,
    `assistant: ${config.openrouterApiKey ? `enabled, default model ${config.aiModel}` : 'disabled (no OPENROUTER_API_KEY)'}`,
    `web search: ${config.searchProvider}`,
  ];
  return { ok: problems.length === 0, problems, warnings: config.warnings, summary };
}
