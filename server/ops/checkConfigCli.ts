import { checkConfig } from './checkConfig.js';

/**
 * `npm run check-config [-- --production]`: prints what the server would run with, or every
 * configuration problem, exiting 1. `--production` checks as NODE_ENV=production would.
 */
function run(): void {
  if (process.argv.includes('--production')) process.env.NODE_ENV = 'production';
  const result = checkConfig();
  for (const w of result.warnings) console.warn(`warning: ${w}`);
  if (!result.ok) {
    console.error('Configuration check failed. Fix these (see .env.example), then try again:');
    for (const p of result.problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log('Configuration OK:');
  for (const line of result.summary) console.log(`  ${line}`);
}

run();
