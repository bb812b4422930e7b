import { rm } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app/compose.js';
import { createCliContext } from '../../src/cli/context.js';
import { makeWorkspace, type Workspace } from '../probe/harness.js';
import { type BrowserSession, CHROMIUM, chromiumAvailable, launchBrowser } from '../web/browser.js';

/** The host view of a partly downloaded MediConfusion says how many pairs are playable, and why. */

let ws: Workspace;
let app: RunningApp;
let session: BrowserSession;

beforeAll(async () => {
  if (!chromiumAvailable) throw new Error(`No chromium at ${CHROMIUM}: apt-get install -y chromium.`);
  ws = await makeWorkspace();
  const first = ws.set.pairs[0];
  if (!first) throw new Error('no pairs');
  // One missing image takes out every pair that shows it.
  await rm(path.join(ws.dataDir, 'images', `${first.images[0].localId}.jpg`));
  const ctx = createCliContext({
    env: { ...ws.env, DISCORD_TOKEN: '' },
    cwd: ws.dir,
    out: new PassThrough(),
    err: new PassThrough(),
  });
  app = await startApp(ctx, { port: 0, fetch: false });
  session = await launchBrowser();
});

afterAll(async () => {
  await session?.close();
  await app?.close();
  await ws?.cleanup();
});

describe('the host view of a partial set', () => {
  for (const phone of [false, true]) {
    it(`shows how many of the 176 pairs are playable and where to see why (${phone ? 'phone' : 'projector'})`, async () => {
      const page = await (await session.device({ phone })).newPage();
      await page.goto(app.urls.host);
      const note = page.getByRole('note').filter({ hasText: 'pairs are playable' });
      await note.waitFor();
      expect(await note.textContent()).toMatch(
        /^\d+ of 176 pairs are playable: \d+ lacks? an image \(1 of 228 images missing\); 1 not fetched yet\. Run mediconfusion data status on the server to see each missing image/,
      );
      await session.screenshot(page, `partial-set-host-${phone ? 'phone' : 'projector'}`);
    });
  }
});
