import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** Validated server configuration. Only this module reads process.env. */
export interface Config {
  env: 'production' | 'development' | 'test';
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  databasePath: string;
  jwtSecret: string;
  jwtTtlSeconds: number;
  publicUrl: string;
  openrouterApiKey: string | null;
  openrouterBaseUrl: string;
  aiModel: string;
  aiName: string;
  searchProvider: 'tavily' | 'brave' | 'none';
  tavilyApiKey: string | null;
  tavilyBaseUrl: string | null;
  braveApiKey: string | null;
  braveBaseUrl: string;
  staticDir: string | null;
  uploadDir: string;
  backupDir: string;
  backupKeep: number;
  roomLogKeep: number;
  /** Register/login/Nostr-challenge attempts per IP per minute. */
  authRateLimit: number;
  /** Authenticated API requests per user per minute. */
  apiRateLimit: number;
  /** Image uploads (chat images and avatars) per user per minute. */
  uploadRateLimit: number;
  /** Chat uploads never attached to a message are deleted after this many seconds. */
  uploadUnattachedTtlSeconds: number;
  /** Allow fetch_page to reach private addresses (tests with a local page server only). */
  fetchAllowPrivate: boolean;
  /** Behind a reverse proxy: take the client IP from X-Forwarded-For (rate limits per IP). */
  trustProxy: boolean;
  /** Expose process CPU/memory figures on /api/health for the benchmark harness. */
  benchMode: boolean;
  /** Notes for the operator printed once at start (e.g. assistant disabled). */
  warnings: string[];
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Parses `.env` text (KEY=value, # comments, optional quotes) without touching process.env. */
export function parseDotenv(text: string): Env {
  const out: Env = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]] = value;
  }
  return out;
}

/** Accepts `sqlite:chat.db`, `sqlite://chat.db?mode=rwc`, or a plain path. */
export function parseDatabaseUrl(url: string): string {
  let p = url.trim();
  if (p.startsWith('sqlite://')) p = p.slice('sqlite://'.length);
  else if (p.startsWith('sqlite:')) p = p.slice('sqlite:'.length);
  p = p.replace(/\?.*$/, '');
  return p;
}

const DURATION = /^(\d+)\s*(s|m|h|d)?$/;

function parseDuration(v: string): number | null {
  const m = DURATION.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const mult = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's'];
  return n * mult;
}

/**
 * Builds the configuration from an environment (process.env merged with `.env` by default),
 * collecting every problem before failing so an operator fixes them all in one go.
 */
export function loadConfig(input?: Env, opts: { cwd?: string } = {}): Config {
  const cwd = opts.cwd ?? process.cwd();
  let env: Env;
  if (input) env = input;
  else {
    const dotenvPath = path.join(cwd, '.env');
    const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath, 'utf8')) : {};
    env = { ...fromFile, ...process.env };
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const get = (k: string): string | undefined => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const nodeEnv = get('NODE_ENV');
  const mode: Config['env'] = nodeEnv === 'production' ? 'production' : nodeEnv === 'test' ? 'test' : 'development';
  const prod = mode === 'production';

  let host = '0.0.0.0';
  let port = 3001;
  const bind = get('BIND_ADDR') ?? '0.0.0.0:3001';
  const bm = /^(.*):(\d{1,5})$/.exec(bind);
  if (!bm || Number(bm[2]) > 65535) problems.push(`BIND_ADDR: expected host:port, got "${bind}"`);
  else {
    host = bm[1].replace(/^\[(.*)\]$/, '$1') || '0.0.0.0';
    port = Number(bm[2]);
  }

  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  const logLevel = (get('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!levels.includes(logLevel)) problems.push(`LOG_LEVEL: must be one of ${levels.join(', ')}`);

  const databasePath = path.resolve(cwd, parseDatabaseUrl(get('DATABASE_URL') ?? 'sqlite:chat.db'));
  if (!databasePath || databasePath.endsWith(path.sep)) problems.push('DATABASE_URL: no file path');

  const jwtTtlRaw = get('JWT_TTL') ?? '7d';
  const jwtTtlSeconds = parseDuration(jwtTtlRaw);
  if (!jwtTtlSeconds || jwtTtlSeconds < 60) problems.push(`JWT_TTL: expected a duration like 3600, 60m, 12h or 7d (>= 60 s), got "${jwtTtlRaw}"`);

  let jwtSecret = get('JWT_SECRET') ?? '';
  if (prod) {
    if (!jwtSecret) problems.push('JWT_SECRET: required in production (at least 32 characters)');
    else if (jwtSecret.length < 32) problems.push('JWT_SECRET: must be at least 32 characters in production');
  }

  const publicUrlRaw = get('PUBLIC_URL') ?? `http://localhost:${port}`;
  let publicUrl = publicUrlRaw.replace(/\/+$/, '');
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    publicUrl = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    problems.push(`PUBLIC_URL: must be an absolute http(s) URL, got "${publicUrlRaw}"`);
  }
  if (prod && !get('PUBLIC_URL')) problems.push('PUBLIC_URL: required in production (the URL users open, used for Nostr sign-in and invite links)');

  const openrouterApiKey = get('OPENROUTER_API_KEY') ?? null;
  const openrouterBaseUrl = (get('OPENROUTER_BASE_URL') ?? 'https://openrouter.ai/api/v1').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(openrouterBaseUrl)) problems.push('OPENROUTER_BASE_URL: must be an http(s) URL');
  if (!openrouterApiKey) {
    if (prod) problems.push('OPENROUTER_API_KEY: required in production (the assistant cannot answer without it)');
    else warnings.push('OPENROUTER_API_KEY is not set: the assistant is disabled and triggers end with ai_unavailable');
  }

  const searchProvider = (get('SEARCH_PROVIDER') ?? 'none').toLowerCase();
  if (!['tavily', 'brave', 'none'].includes(searchProvider)) problems.push('SEARCH_PROVIDER: must be tavily, brave or none');
  const tavilyApiKey = get('TAVILY_API_KEY') ?? null;
  const braveApiKey = get('BRAVE_API_KEY') ?? null;
  const missingKey =
    (searchProvider === 'tavily' && !tavilyApiKey && 'TAVILY_API_KEY') ||
    (searchProvider === 'brave' && !braveApiKey && 'BRAVE_API_KEY');
  if (missingKey) {
    if (prod) problems.push(`${missingKey}: required when SEARCH_PROVIDER=${searchProvider}`);
    else warnings.push(`${missingKey} is not set: web search is disabled`);
  }

  const intVar = (k: string, def: number, min: number, max: number): number => {
    const raw = get(k);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${k}: must be an integer from ${min} to ${max}, got "${raw}"`);
      return def;
    }
    return n;
  };
  const boolVar = (k: string): boolean => ['1', 'true', 'yes'].includes((get(k) ?? '').toLowerCase());

  const aiName = get('AI_NAME') ?? 'ai';
  if (!/^[A-Za-z0-9_.-]{1,32}$/.test(aiName)) problems.push('AI_NAME: 1-32 characters of A-Z a-z 0-9 _ . -');

  const uploadTtlRaw = get('UPLOAD_UNATTACHED_TTL') ?? '24h';
  const uploadUnattachedTtlSeconds = parseDuration(uploadTtlRaw) ?? 0;
  if (uploadUnattachedTtlSeconds < 60) problems.push(`UPLOAD_UNATTACHED_TTL: expected a duration like 3600, 60m, 24h or 7d (>= 60 s), got "${uploadTtlRaw}"`);

  const dbDir = path.dirname(databasePath);
  if (problems.length === 0 && !jwtSecret) {
    // Development: a generated secret persisted next to the database so tokens survive restarts.
    const secretFile = `${databasePath}.jwt-secret`;
    try {
      if (existsSync(secretFile)) jwtSecret = readFileSync(secretFile, 'utf8').trim();
      if (jwtSecret.length < 32) {
        mkdirSync(dbDir, { recursive: true });
        jwtSecret = randomBytes(32).toString('hex');
        writeFileSync(secretFile, jwtSecret, { mode: 0o600 });
      }
      warnings.push(`JWT_SECRET is not set: using a generated secret stored in ${secretFile}`);
    } catch (err) {
      problems.push(`JWT_SECRET: not set and the generated secret could not be stored (${(err as Error).message})`);
    }
  }

  const config: Config = {
    env: mode,
    host,
    port,
    logLevel: logLevel as Config['logLevel'],
    databasePath,
    jwtSecret,
    jwtTtlSeconds: jwtTtlSeconds ?? 7 * 86400,
    publicUrl,
    openrouterApiKey,
    openrouterBaseUrl,
    aiModel: get('AI_MODEL') ?? 'openai/gpt-4o-mini',
    aiName,
    searchProvider: searchProvider as Config['searchProvider'],
    tavilyApiKey,
    tavilyBaseUrl: get('TAVILY_BASE_URL') ?? null,
    braveApiKey,
    braveBaseUrl: (get('BRAVE_BASE_URL') ?? 'https://api.search.brave.com').replace(/\/+$/, ''),
    staticDir: get('STATIC_DIR') && get('STATIC_DIR') !== 'none' ? path.resolve(cwd, get('STATIC_DIR')!) : null,
    uploadDir: path.resolve(cwd, get('UPLOAD_DIR') ?? 'uploads'),
    backupDir: path.resolve(cwd, get('BACKUP_DIR') ?? 'backups'),
    backupKeep: intVar('BACKUP_KEEP', 10, 0, 1000),
    roomLogKeep: intVar('ROOM_LOG_KEEP', 10_000, 100, 10_000_000),
    authRateLimit: intVar('AUTH_RATE_LIMIT', 20, 1, 1_000_000),
    apiRateLimit: intVar('API_RATE_LIMIT', 600, 1, 10_000_000),
    uploadRateLimit: intVar('UPLOAD_RATE_LIMIT', 30, 1, 10_000_000),
    uploadUnattachedTtlSeconds,
    fetchAllowPrivate: boolVar('FETCH_ALLOW_PRIVATE'),
    trustProxy: boolVar('TRUST_PROXY'),
    benchMode: boolVar('BENCH_MODE'),
    warnings,
  };
  if (prod && config.fetchAllowPrivate) problems.push('FETCH_ALLOW_PRIVATE: must not be set in production');
  if (problems.length) throw new ConfigError(problems);
  return config;
}
