/**
 * Adversarial nodes. A URL without its scheme is bad input (exit 2) naming the value and the fix; a node
 * that is not there, never answers, answers garbage (HTML, JSON that is not JSON-RPC, HTTP 502) or answers
 * and then goes bad is exit 3 on one line naming the URL — never a viem dump, never a quiet 0; a node on
 * another chain than the patch is exit 2 naming both chain ids; and `simulate --rpc` leaves the node it was
 * pointed at exactly as it was. The bad nodes are tiny local HTTP servers (node:http), no network.
 */

import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, erc20Abi, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectErrorsAbi } from '../../src/build/errors-abi.js';
import { freePort } from '../../src/chain/anvil.js';
import { connect } from '../../src/chain/clients.js';
import { erc1967Slots, introspectProxy } from '../../src/chain/proxy.js';
import { TIMELOCK_ABI } from '../../src/core/abis.js';
import { runPoc } from '../../src/simulate/poc.js';
import { checkInvariant } from '../../src/system/invariants.js';
import { accountFor } from '../../src/system/model.js';
import type { CliResult } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/cli-async.js';
import { EXAMPLE_DIR } from '../helpers/example.js';
import { KEY_ENV, type LiveExample, startLiveExample } from '../helpers/live.js';

let live: LiveExample;
let state: string;
let digest: Hex;
const servers: Server[] = [];

type Handler = (
  body: { id?: unknown; method?: string } | undefined,
  res: ServerResponse,
  req: IncomingMessage,
) => void;

/** A stand-in node on a free loopback port, answering each request with `handler`. */
/** Passes a request on to the live node and its answer back: a stand-in that fails only what it chooses. */
function forward(body: unknown, res: ServerResponse): void {
  fetch(live.anvil.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
    .then((r) => r.text())
    .then((text) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    });
}

async function standIn(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => {
      raw += d.toString();
    });
    req.on('end', () => {
      let body: { id?: unknown; method?: string } | undefined;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      handler(body, res, req);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

const json = (res: ServerResponse, value: unknown, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};
const html = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
};
/** Answers eth_chainId as `chainId`, and everything else with `rest`. */
const chainThen =
  (chainId: number, rest: Handler): Handler =>
  (body, res, req) =>
    body?.method === 'eth_chainId'
      ? json(res, { jsonrpc: '2.0', id: body.id, result: `0x${chainId.toString(16)}` })
      : rest(body, res, req);
const never: Handler = () => {};

/** The CLI in the live example's config dir, with the test keys, its own state dir. */
const pg = (args: string[], env: Record<string, string> = {}) =>
  runCliAsync([...args, '--state-dir', state], { cwd: live.configDir, env: { ...KEY_ENV, ...env } });
/** `simulate --rpc` deploys the system from the example's config (the live one has only addresses). */
const simulate = (...args: string[]) =>
  runCliAsync([
    'simulate',
    '--config',
    join(EXAMPLE_DIR, 'patchgate.config.json'),
    '--patch',
    'fix-flash-deposit',
    '--state-dir',
    live.stateDir,
    ...args,
  ]);

/** Exit code, and stderr's first line, which must name the cause on its own (no viem dump, no stack). */
function failure(r: CliResult): [number, string] {
  const lines = r.stderr.split('\n');
  expect(r.stderr).not.toMatch(/Request body:|Version: viem|URL: http|\n\s+at /);
  expect(r.stderr).not.toMatch(/internal error/);
  return [r.code, lines[0] ?? ''];
}

beforeAll(async () => {
  live = await startLiveExample();
  state = mkdtempSync(join(tmpdir(), 'pg-rpc-state-'));
  const r = await pg([
    'propose',
    '--patch',
    'fix-flash-deposit',
    '--key-env',
    'DEPLOYER_KEY',
    '--rpc',
    live.anvil.rpcUrl,
    '--format',
    'json',
  ]);
  if (r.code !== 0) throw new Error(`propose: exit ${r.code}: ${r.stderr}`);
  digest = JSON.parse(r.stdout).digest;
}, 300_000);

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await live?.anvil.stop();
});

describe('a URL that is not one', () => {
  it('a URL without its scheme (localhost:8545) is bad input, exit 2, naming the value and the fix', async () => {
    const vault = live.system.contracts.get('vault')?.address ?? '';
    for (const r of [
      await pg(['status', '--rpc', 'localhost:8545']),
      await pg(['verify', digest, '--rpc', 'localhost:8545']),
      await runCliAsync(['audit', vault, '--rpc', 'localhost:8545']),
      await simulate('--rpc', 'localhost:8545'),
    ]) {
      expect(failure(r)).toEqual([
        2,
        'patchgate: --rpc "localhost:8545" has no scheme (http:// or https://)',
      ]);
      expect(r.stderr).toContain('hint: write it in full, e.g. http://localhost:8545');
    }
    const fork = await simulate('--fork-url', 'localhost:8545');
    expect(failure(fork)).toEqual([
      2,
      'patchgate: --fork-url "localhost:8545" has no scheme (http:// or https://)',
    ]);
  });

  it('a WebSocket or other scheme is bad input, exit 2, pointing at the http:// URL', async () => {
    const ws = await pg(['status', '--rpc', 'ws://127.0.0.1:8545']);
    expect(failure(ws)).toEqual([
      2,
      'patchgate: --rpc "ws://127.0.0.1:8545": patchgate talks to nodes over HTTP, not WebSocket',
    ]);
    const ftp = await simulate('--rpc', 'ftp://127.0.0.1:8545');
    expect(failure(ftp)).toEqual([
      2,
      'patchgate: --rpc "ftp://127.0.0.1:8545" is not an http(s) URL (scheme ftp:)',
    ]);
  });

  it('an API key in a bad URL is not printed', async () => {
    const r = await pg(['status', '--rpc', 'mainnet.infura.io/v3/0123456789abcdef0123456789abcdef']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('0123456789abcdef0123456789abcdef');
    expect(r.stderr).toContain('mainnet.infura.io/v3/0123…');
  });
});

describe('a node that is not there', () => {
  it('a dead port is exit 3 on one line naming the URL (status, verify, simulate --rpc, simulate --fork-url)', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const line = `patchgate: the RPC endpoint ${dead} did not answer eth_chainId: connection refused (nothing listens there)`;
    for (const r of await Promise.all([
      pg(['status', '--rpc', dead]),
      pg(['status', digest, '--rpc', dead]),
      pg(['verify', digest, '--rpc', dead]),
      simulate('--rpc', dead),
      simulate('--fork-url', dead),
    ])) {
      expect(failure(r)).toEqual([3, line]);
    }
  });

  it('status with a dead --rpc exits 3, not 0 (with or without a digest)', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    expect((await pg(['status', '--rpc', dead])).code).toBe(3);
    expect((await pg(['status', digest, '--rpc', dead, '--format', 'json'])).code).toBe(3);
    // The store alone still answers.
    expect((await pg(['status'])).code).toBe(0);
  });

  it('a node that never answers is exit 3 on one line naming the URL and the timeout, within a bounded time', async () => {
    const url = await standIn(never);
    const env = { PATCHGATE_RPC_TIMEOUT_MS: '1500' };
    const [status, sim] = await Promise.all([
      runCliAsync(['status', '--rpc', url, '--state-dir', state], { cwd: live.configDir, env }),
      runCliAsync(
        ['simulate', '--patch', 'fix-flash-deposit', '--fork-url', url, '--state-dir', live.stateDir],
        { cwd: live.configDir, env },
      ),
    ]);
    for (const r of [status, sim]) {
      expect(failure(r)).toEqual([
        3,
        `patchgate: the RPC endpoint ${url} did not answer eth_chainId within 1500 ms`,
      ]);
      // The bound is the timeout plus start-up, not viem's retries or anvil's own 60 s fork wait.
      expect(r.ms).toBeLessThan(20_000);
    }
  });
});

describe('a node that answers garbage', () => {
  it('HTTP 200 with an HTML page is exit 3 on one line', async () => {
    const url = await standIn((_b, res) => html(res));
    expect(failure(await pg(['status', '--rpc', url]))).toEqual([
      3,
      `patchgate: the RPC endpoint ${url} answered with text/html, not JSON-RPC ("<!doctype html><html><bo…")`,
    ]);
  });

  it('JSON that is not a JSON-RPC response is exit 3 on one line', async () => {
    const url = await standIn((_b, res) => json(res, { hello: 'world' }));
    expect(failure(await simulate('--rpc', url))).toEqual([
      3,
      `patchgate: the RPC endpoint ${url} answered JSON that is not a JSON-RPC response ({"hello":"world"})`,
    ]);
  });

  it('a chain id that is not a number, and HTTP 502, are exit 3 on one line', async () => {
    const banana = await standIn((b, res) => json(res, { jsonrpc: '2.0', id: b?.id, result: 'banana' }));
    expect(failure(await pg(['status', '--rpc', banana]))).toEqual([
      3,
      `patchgate: the RPC endpoint ${banana} answered eth_chainId with "banana", not a chain id`,
    ]);
    const gateway = await standIn((_b, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    expect(failure(await pg(['status', '--rpc', gateway]))).toEqual([
      3,
      `patchgate: the RPC endpoint ${gateway} answered HTTP 502 Bad Gateway (still after 5 tries)`,
    ]);
  });

  it('a node that answers eth_chainId and then HTML is exit 3 on one line, not a viem dump', async () => {
    const url = await standIn(chainThen(31337, (_b, res) => html(res)));
    const [code, line] = failure(await pg(['status', digest, '--rpc', url]));
    expect([code, line]).toEqual([
      3,
      `patchgate: the RPC endpoint ${url} answered with text/html, not JSON-RPC ("<!doctype html><html><bo…")`,
    ]);
  });

  it('a node whose every answer is "0x1" (garbage where an address belongs) is exit 3 naming the node, for audit', async () => {
    const url = await standIn((body, res) => json(res, { jsonrpc: '2.0', id: body?.id, result: '0x1' }));
    const r = await runCliAsync(['audit', `0x${'aa'.repeat(20)}`, '--rpc', url]);
    const [code, line] = failure(r);
    expect(code).toBe(3);
    expect(line).toMatch(new RegExp(`^patchgate: reading the chain from ${url} failed: `));
  });

  it('a node that answers eth_chainId and then nothing is exit 3 on one line naming the timeout', async () => {
    const url = await standIn(chainThen(31337, never));
    const r = await pg(['status', digest, '--rpc', url], { PATCHGATE_RPC_TIMEOUT_MS: '1500' });
    const [code, line] = failure(r);
    expect(code).toBe(3);
    // Named: the URL, the request that went unanswered, the timeout.
    expect(line).toMatch(
      new RegExp(`^patchgate: the RPC endpoint ${url} did not answer (eth|web3)_\\w+ within 1500 ms$`),
    );
  });
});

describe('a fork URL that answers eth_chainId and nothing else usable', () => {
  it('simulate --fork-url of a node anvil cannot fork is exit 3 on one line, within a bounded time', async () => {
    const garbage = await standIn(chainThen(31337, (_b, res) => html(res)));
    const silent = await standIn(chainThen(31337, never));
    const [a, b] = await Promise.all([
      simulate('--fork-url', garbage),
      runCliAsync(
        [
          'simulate',
          '--config',
          join(EXAMPLE_DIR, 'patchgate.config.json'),
          '--patch',
          'fix-flash-deposit',
          '--fork-url',
          silent,
          '--state-dir',
          live.stateDir,
        ],
        { env: { PATCHGATE_RPC_TIMEOUT_MS: '2000' } },
      ),
    ]);
    for (const [r, url] of [
      [a, garbage],
      [b, silent],
    ] as const) {
      const [code, line] = failure(r);
      expect(code).toBe(3);
      expect(line).toMatch(new RegExp(`^patchgate: anvil could not fork ${url}: \\S.*$`));
    }
    // anvil's own upstream wait follows PATCHGATE_RPC_TIMEOUT_MS, not its 45 s default.
    expect(b.ms).toBeLessThan(20_000);
  });
});

describe('a node that fails in the middle of the evidence', () => {
  it('an exploit call the node could not answer is not read as the exploit failing (fail closed, not a pass)', async () => {
    // A proxy to the live node that answers the attacker's eth_call (the exploit's dry run, the one call
    // whose failure means "the exploit fails") with an HTML error page.
    const url = await standIn((body, res) => {
      const from = (body as { params?: [{ from?: string }] } | undefined)?.params?.[0]?.from;
      if (body?.method === 'eth_call' && from) return html(res);
      forward(body, res);
    });
    const clients = await connect(url);
    const poc = live.config.pocs.find((p) => p.target === 'vault');
    if (!poc) throw new Error('the example has no vault PoC');
    const block = await live.clients.public.getBlockNumber();
    await expect(
      runPoc(clients, live.project, live.system, poc, projectErrorsAbi(live.project)),
    ).rejects.toMatchObject({
      code: 'rpc-bad-response',
      exitCode: 3,
      shortMessage: expect.stringContaining('answered with text/html, not JSON-RPC'),
    });
    // The PoC's snapshot was reverted on the way out.
    expect(await live.clients.public.getBlockNumber()).toBe(block);
  });

  it('an invariant the node could not answer is not read as a broken invariant (exit 3, not a verdict)', async () => {
    const url = await standIn((body, res) => {
      if (body?.method === 'eth_call') return html(res);
      forward(body, res);
    });
    const clients = await connect(url);
    const inv = live.config.invariants[0];
    if (!inv) throw new Error('the example has no invariant');
    const abi = live.system.contracts.get(inv.target)?.abi ?? [];
    // Against the node itself the invariant holds; through the failing stand-in it is the node that failed.
    expect(await checkInvariant(live.clients, live.system, inv, abi)).toMatchObject({ held: true });
    await expect(checkInvariant(clients, live.system, inv, abi)).rejects.toMatchObject({
      code: 'rpc-bad-response',
      exitCode: 3,
    });
  });
});

describe('a busy node', () => {
  const uupsProxy = () => {
    const c = [...live.system.contracts.values()].find((x) => x.proxyKind === 'uups');
    if (!c) throw new Error('the example has no UUPS proxy');
    return c.address;
  };
  const busy = (res: ServerResponse) => {
    res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '0' });
    res.end('Too Many Requests');
  };

  it('a rate-limited eth_call does not make a UUPS proxy look transparent: exit 3 naming the RPC, never a guess', async () => {
    expect((await introspectProxy(live.clients.public, uupsProxy())).kind).toBe('uups');
    const url = await standIn((body, res) => (body?.method === 'eth_call' ? busy(res) : forward(body, res)));
    const clients = await connect(url);
    await expect(introspectProxy(clients.public, uupsProxy())).rejects.toMatchObject({
      code: 'rpc-bad-response',
      exitCode: 3,
      shortMessage: `the RPC endpoint ${url} answered HTTP 429`,
    });
  });

  it('a node that answers 429, or a JSON-RPC rate limit, a few times and then the truth is retried: the read succeeds', async () => {
    let calls = 0;
    const url = await standIn((body, res) => {
      if (body?.method !== 'eth_call') return forward(body, res);
      calls++;
      if (calls <= 2) return busy(res);
      if (calls <= 4)
        return json(res, { jsonrpc: '2.0', id: body.id, error: { code: -32005, message: 'limit exceeded' } });
      forward(body, res);
    });
    const clients = await connect(url);
    expect((await introspectProxy(clients.public, uupsProxy())).kind).toBe('uups');
    expect(calls).toBeGreaterThan(4);
  });

  it('the first request (eth_chainId) is retried too, and a node that stays busy is exit 3 saying so', async () => {
    let probes = 0;
    const flaky = await standIn((body, res) => {
      if (body?.method === 'eth_chainId' && ++probes <= 2) return busy(res);
      forward(body, res);
    });
    expect(await pg(['status', digest, '--rpc', flaky])).toMatchObject({ code: 0 });
    const always = await standIn((_b, res) => busy(res));
    const busyRun = await pg(['status', '--rpc', always]);
    expect(failure(busyRun)).toEqual([
      3,
      `patchgate: the RPC endpoint ${always} answered HTTP 429 Too Many Requests (still after 5 tries)`,
    ]);
    expect(busyRun.stderr.split('\n')[1]).toBe(
      "  hint: the node is rate-limiting this client: wait, raise the plan's limit, or use another node",
    );
  });

  it('tells a dev node (fast receipts, --warp allowed) from a live one by what the node says it is', async () => {
    expect((await connect(live.anvil.rpcUrl)).devNode).toBe(true);
    const geth = await standIn((body, res) =>
      body?.method === 'web3_clientVersion'
        ? json(res, { jsonrpc: '2.0', id: body.id, result: 'Geth/v1.14.12-stable/linux-amd64/go1.23.4' })
        : forward(body, res),
    );
    const clients = await connect(geth);
    expect(clients.devNode).toBe(false);
    expect(clients.public.pollingInterval).toBe(1_000);
  });
});

describe('a node on another chain', () => {
  it('a node whose chain id is not the patch record’s is exit 2 naming both chain ids (verify, approve, status)', async () => {
    // A mainnet node (it says what it is) that must not be asked anything else: any other request is HTML.
    const url = await standIn(
      chainThen(1, (b, res) =>
        b?.method === 'web3_clientVersion'
          ? json(res, { jsonrpc: '2.0', id: b.id, result: 'Geth/v1.14.12-stable' })
          : html(res),
      ),
    );
    const line = `patchgate: --rpc is chain 1, patch ${digest.slice(0, 10)}… is for chain 31337`;
    for (const args of [
      ['verify', digest, '--rpc', url],
      ['approve', digest, '--rpc', url, '--key-env', 'OWNER1_KEY'],
      ['status', digest, '--rpc', url],
    ]) {
      expect(failure(await pg(args)), args[0]).toEqual([2, line]);
    }
    // Nothing was recorded: the patch is still proposed, with no approval.
    const status = JSON.parse((await pg(['status', digest, '--format', 'json'])).stdout);
    expect(status).toMatchObject({ state: 'proposed', approvals: [] });
  });
});

describe('simulate --rpc', () => {
  it('leaves the node it was pointed at unchanged: no block, same implementation, clock, timelock and balances', async () => {
    const pub = live.clients.public;
    const vault = live.system.contracts.get('vault')?.address as Address;
    const token = live.system.contracts.get('token')?.address as Address;
    const timelock = live.system.governance.timelock;
    const deployer = accountFor('deployer').address;
    const snapshot = async () => {
      const block = await pub.getBlock({ blockTag: 'latest' });
      return {
        block: [block.number, block.hash, block.timestamp],
        slots: await erc1967Slots(pub, vault),
        vaultAssets: await pub.readContract({
          address: token,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [vault],
        }),
        deployerEth: await pub.getBalance({ address: deployer }),
        deployerNonce: await pub.getTransactionCount({ address: deployer }),
        minDelay: await pub.readContract({
          address: timelock,
          abi: TIMELOCK_ABI,
          functionName: 'getMinDelay',
        }),
      };
    };
    const before = await snapshot();
    const r = await simulate('--rpc', live.anvil.rpcUrl, '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.node).toEqual({ mode: 'fork', source: live.anvil.rpcUrl });
    expect(report.chain).toMatchObject({ mode: 'rpc', chainId: 31337 });
    // The simulation did upgrade and warp the clock — on its fork.
    expect(report.governancePath.steps.map((s: { name: string }) => s.name)).toContain('time-warp');
    expect(await snapshot()).toEqual(before);
    // The node's clock was not moved either: the next block it mines is not 48 h ahead.
    const id = await live.clients.test.snapshot();
    try {
      await live.clients.test.mine({ blocks: 1 });
      const next = await pub.getBlock({ blockTag: 'latest' });
      expect(next.timestamp - (before.block[2] as bigint)).toBeLessThan(3600n);
    } finally {
      await live.clients.test.revert({ id });
    }
  });

  it('says so in the text report', async () => {
    const r = await simulate('--rpc', live.anvil.rpcUrl);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Ran on a fork of ${live.anvil.rpcUrl} (that node is only read)`);
  });
});
