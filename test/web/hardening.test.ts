import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { captureLogs } from '../bot/harness.js';
import { openWebHarness, type WebHarness } from './harness.js';

let h: WebHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Log entries at warn (40) or above, as pino writes them. */
const levelOf = (entry: Record<string, unknown>) => Number(entry.level);

describe('client mistakes on the web server', () => {
  it('answers 404 for an asset name with characters no bundled file has, logging nothing at error level', async () => {
    const logs = captureLogs();
    h = await openWebHarness({ log: logs.log });
    for (const name of ['a%20b.js', 'host.js%00', '%E2%9C%93.js', 'a%2Fb.js']) {
      const response = await fetch(`${h.base}/assets/${name}`);
      expect(response.status, name).toBe(404);
    }
    expect(logs.entries().filter((e) => levelOf(e) >= 50)).toEqual([]);
  });

  it('closes an oversized WebSocket frame with 1009 and logs a warning without a stack', async () => {
    const logs = captureLogs();
    h = await openWebHarness({ log: logs.log });
    const ws = new WebSocket(h.wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(10_000));
    expect(await closed).toBe(1009);
    // The server's close is logged once its socket has closed too: wait for that entry.
    await expect
      .poll(() => logs.entries().filter((e) => e.msg === 'websocket closed: message too big'))
      .toHaveLength(1);
    const entries = logs.entries();
    expect(entries.filter((e) => levelOf(e) >= 50)).toEqual([]);
    const warning = entries.find((e) => e.msg === 'websocket closed: message too big');
    expect(levelOf(warning ?? {})).toBe(40);
    expect(JSON.stringify(warning)).not.toContain('stack');
  });
});
