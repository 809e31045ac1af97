import type { Migration } from 'kysely';
import * as m001 from './20261123_001_users.js';
import * as m002 from './20261123_002_rooms.js';
import * as m003 from './20261123_003_nostr_challenges.js';
import * as m004 from './20261123_004_uploads.js';
import * as m005 from './20261123_005_ai_streams.js';

/** Explicit import map: the built server carries its migrations, no directory scan at run time. */
export const migrations: Record<string, Migration> = {
  '20261123_001_users': m001,
  '20261123_002_rooms': m002,
  '20261123_003_nostr_challenges': m003,
  '20261123_004_uploads': m004,
  '20261123_005_ai_streams': m005,
};
