import { it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os'; import path from 'node:path';
import { startTestServer } from '/work/main/server/test/testServer.js';
it('dbg', async () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'x-')); writeFileSync(path.join(d,'index.html'),'hi');
  const s = await startTestServer({ STATIC_DIR: d });
  const r = await fetch(s.url + '/'); console.log(r.status, [...r.headers]);
  const r2 = await fetch(s.url + '/', {headers: {'if-none-match': r.headers.get('etag')!}}); console.log(r2.status, [...r2.headers]);
  await s.stop();
});
