/**
 * The watcher's WebSocket wake-up (`--ws`, watch/subscribe.ts) on a real anvil under the Node this project
 * targets: a mined block wakes the loop and the socket raises no error. Node 20 has no global WebSocket, so
 * viem's isows falls back to the `ws` package — which must be ws 8 (ws 7, hoisted by ethers 5, has no `WebSocket`
 * export and every subscription failed with "WebSocket is not a constructor").
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Anvil, startAnvil } from '../src/chain/anvil.js';
import { type Clients, connect } from '../src/chain/clients.js';
import { subscribe } from '../src/watch/subscribe.js';

let anvil: Anvil;
let clients: Clients;

beforeAll(async () => {
  anvil = await startAnvil({ args: [] });
  clients = await connect(anvil.rpcUrl);
});

afterAll(async () => {
  await anvil?.stop();
});

it('a mined block wakes the watcher over --ws, with no subscription error', async () => {
  const errors: string[] = [];
  let woke = 0;
  const sub = subscribe(
    anvil.rpcUrl.replace('http://', 'ws://'),
    () => {
      woke++;
    },
    (e) => errors.push(e.message),
  );
  try {
    // Mine until the subscription is live and has seen one (bounded: 5 s).
    const deadline = Date.now() + 5_000;
    while (woke === 0 && errors.length === 0 && Date.now() < deadline) {
      await clients.test.mine({ blocks: 1 });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(errors).toEqual([]);
    expect(woke).toBeGreaterThan(0);
  } finally {
    await sub.close();
  }
});
