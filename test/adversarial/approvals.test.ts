/**
 * Attacks on `approve --approval FILE`, through the real CLI against the example deployed on a real anvil.
 * Each is refused with its exact exit code and leaves the store as it was: the patch's status (state,
 * approvals, Safe signatures, history) and the transparency log are the same before and after. Then the
 * round trip real wallets make — `approve --typed-data` signed by MetaMask's eth-sig-util (V4) and by ethers
 * v6, recorded with `--approval` and used on chain by `queue` — and a chain where the system is not deployed.
 */

import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignTypedDataVersion, signTypedData } from '@metamask/eth-sig-util';
import { Wallet } from 'ethers-v6';
import { type Hex, zeroAddress } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil } from '../../src/chain/anvil.js';
import { localAccount } from '../../src/chain/clients.js';
import { TIMELOCK_ABI } from '../../src/core/abis.js';
import { type Approval, signApproval } from '../../src/govern/approval.js';

import { openPglite } from '../../src/store/db.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { cliOn, KEY_ENV, type LiveExample, okJson, startLiveExample } from '../helpers/live.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const UINT256_MAX = 2n ** 256n - 1n;
const TTL = 604_800n; // the example's policy.approvalTtl

let live: LiveExample;
let state: string;
let digest: Hex;
let vault: Hex;
const files = mkdtempSync(join(tmpdir(), 'pg-adv-approvals-'));
let n = 0;

/**
 * The store's tables after the last refused attack, while nothing has run since: the next attack's "before". A
 * command run (pg) or the store opened here (openDirect) forgets it — the snapshot is taken again.
 */
let lastSnapshot: Record<string, unknown[]> | undefined;

const pg = (args: string[], env: Record<string, string> = {}): CliResult => {
  lastSnapshot = undefined;
  return cliOn(live, state, args, env);
};

/** The store opened in this process (to tamper with it): whatever it does, the cached snapshot is stale. */
const openDirect = () => {
  lastSnapshot = undefined;
  return openPglite(join(state, 'db'));
};
const json = okJson;

type Status = {
  state: string;
  approvals: { signer: string; expiry: string; valid?: boolean; reason?: string }[];
  safeSignatures: { purpose: string; safeNonce: string; owner: string }[];
  history: { to: string }[];
};
const status = () => json<Status>(pg(['status', digest, '--format', 'json']));

/** Every table an approval could touch — the patch, approvals, Safe signatures, history, the log — as rows. */
const TABLES = [
  'patches',
  'evidence',
  'approvals',
  'safe_signatures',
  'pending_txs',
  'transitions',
  'ledger_entries',
  'ledger_nodes',
  'ledger_heads',
];

async function snapshot(): Promise<Record<string, unknown[]>> {
  const db = await openPglite(join(state, 'db')); // reads only
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of TABLES) out[t] = await db.query(`select * from ${t} order by 1, 2`);
    return out;
  } finally {
    await db.close();
  }
}

const now = async () => (await live.clients.public.getBlock()).timestamp;

function write(content: string | object): string {
  const file = join(files, `a${n++}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** An approval by local account `signer`, valid now unless overridden, as the JSON an approval file holds. */
async function approvalFile(signer: number, overrides: Partial<Approval> = {}, mutate?: (sig: Hex) => Hex) {
  const fields = {
    digest,
    chainId: 31337,
    proxy: vault,
    nonce: 5n,
    expiry: (await now()) + 3600n,
    ...overrides,
  };
  const a = await signApproval(localAccount(signer) as never, fields);
  return {
    ...fields,
    nonce: String(fields.nonce),
    expiry: String(fields.expiry),
    signature: mutate ? mutate(a.signature) : a.signature,
  };
}

/** The other valid signature for the same (r, s): s → n − s, v flipped. */
const highS = (sig: Hex): Hex => {
  const s = BigInt(`0x${sig.slice(66, 130)}`);
  const v = Number.parseInt(sig.slice(130, 132), 16);
  return `${sig.slice(0, 66)}${(N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
};

/** The attack: `approve --approval FILE` exits `code`, says `message` in one line, and changes nothing. */
async function refused(file: string, code: number, message: RegExp): Promise<CliResult> {
  const before = lastSnapshot ?? (await snapshot());
  const r = pg(['approve', digest, '--approval', file]);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.split('\n')[0]).toMatch(/^patchgate: /);
  expect(r.stderr.split('\n')[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/at .*\.js:\d+|Request Arguments|Version: viem/);
  const after = await snapshot();
  expect(after).toEqual(before);
  lastSnapshot = after;
  return r;
}

type TypedDataRequest = {
  digest: Hex;
  approval: { typedData: WalletTypedData; hash: Hex; domainHash: Hex; messageHash: Hex };
  safeTxs: { purpose: string; safeNonce: string; safeTxHash: Hex; typedData: WalletTypedData; hash: Hex }[];
  file: { digest: Hex; chainId: number; proxy: Hex; nonce: string; expiry: string; safeSignatures: object[] };
  howToSign: string[];
};
type WalletTypedData = {
  domain: Record<string, unknown>;
  types: Record<string, { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
};

const typedData = () => json<TypedDataRequest>(pg(['approve', digest, '--typed-data']));

beforeAll(async () => {
  live = await startLiveExample();
  vault = live.system.contracts.get('vault')?.address as Hex;
  state = mkdtempSync(join(tmpdir(), 'pg-adv-approvals-state-'));
  cpSync(join(live.stateDir, 'cache'), join(state, 'cache'), { recursive: true });
  digest = json<{ digest: Hex }>(
    pg(['propose', '--patch', 'fix-flash-deposit', '--key-env', 'DEPLOYER_KEY', '--format', 'json']),
  ).digest;
}, 300_000);

afterAll(async () => {
  await live?.anvil.stop();
});

describe('approve --approval FILE under attack: refused, nothing changed', () => {
  it('an approval by a signer outside the approver set is refused', async () => {
    await refused(write(await approvalFile(7)), 2, /signer 0x\w+ is not an approver of this patch/);
  });

  it('an approval signed for another chain id is refused', async () => {
    await refused(
      write(await approvalFile(1, { chainId: 1 })),
      2,
      /approval is for chain 1, this patch is on chain 31337/,
    );
  });

  it('an approval signed for chain 1 and relabelled as this chain recovers to a stranger and is refused', async () => {
    const other = await approvalFile(1, { chainId: 1 });
    await refused(write({ ...other, chainId: 31337 }), 2, /is not an approver of this patch/);
  });

  it('an approval signed for another proxy is refused', async () => {
    await refused(write(await approvalFile(1, { proxy: zeroAddress })), 2, /approval is for proxy 0x0{40}/);
  });

  it('an approval signed for another digest is refused', async () => {
    await refused(
      write(await approvalFile(1, { digest: `0x${'ab'.repeat(32)}` })),
      2,
      /approval is for digest 0xabab/,
    );
  });

  it('an expired approval is refused', async () => {
    await refused(
      write(await approvalFile(1, { expiry: (await now()) - 1n })),
      2,
      /approval expired at \d+ \(now \d+\)/,
    );
  });

  it('an approval expiring at 2^256 − 1 (beyond policy.approvalTtl) is refused, naming the value and the bound', async () => {
    const r = await refused(
      write(await approvalFile(1, { expiry: UINT256_MAX })),
      2,
      new RegExp(`approval expiry ${UINT256_MAX} is beyond now \\+ policy.approvalTtl .*at most \\d+`),
    );
    const bound = BigInt(/at most (\d+)/.exec(r.stderr)?.[1] ?? 0);
    expect(bound - (await now())).toBeGreaterThanOrEqual(TTL);
    expect(bound - (await now())).toBeLessThanOrEqual(TTL + 300n);
  });

  it('an approval expiring one second past now + approvalTtl + 300 s of clock skew is refused', async () => {
    // Chain time moves on between signing and the CLI's check: +2 s of margin keeps it past the bound.
    const expiry = (await now()) + TTL + 300n + 2n;
    await refused(write(await approvalFile(1, { expiry })), 2, /is beyond now \+ policy.approvalTtl/);
  });

  it('the high-s twin of a valid approval is refused', async () => {
    await refused(write(await approvalFile(1, {}, highS)), 2, /signature has a high s value \(malleable\)/);
  });

  it('a file that is not JSON is refused', async () => {
    await refused(write('{"digest": "0x'), 2, /approval file .* is not JSON/);
  });

  it.each([
    ['JSON null', null, /is not a JSON object/],
    ['a list', [], /is not a JSON object/],
    ['nonce as an object', { nonce: { $gt: 0 } }, /"nonce" is not a decimal uint256 nonce/],
    ['nonce past uint256 (79 digits)', { nonce: '9'.repeat(79) }, /"nonce" is not a decimal uint256 nonce/],
    ['expiry as a float', { expiry: 1.5e300 }, /"expiry" is not a decimal unix time/],
    ['expiry negative', { expiry: '-1' }, /"expiry" is not a decimal unix time/],
    ['chainId as a word', { chainId: 'mainnet' }, /"chainId" is not a chain id/],
    ['chainId past 2^53', { chainId: '9007199254740993' }, /"chainId" is not a chain id/],
    ['proxy too short', { proxy: '0x1234' }, /"proxy" is not an address/],
    ['signature as a number', { signature: 12 }, /"signature" is not a hex signature/],
    ['safeSignatures as a string', { safeSignatures: 'all of them' }, /"safeSignatures" is not a list/],
    ['safeSignatures holding null', { safeSignatures: [null] }, /safeSignatures\[0\]\.purpose/],
    [
      'a cancel signature',
      { safeSignatures: [{ purpose: 'cancel', safeNonce: '0', signature: `0x${'11'.repeat(65)}` }] },
      /safeSignatures\[0\]\.purpose is not schedule or execute/,
    ],
  ])('a file with wrong field types is refused: %s', async (_what, patch, message) => {
    const good = await approvalFile(1);
    const content = patch === null || Array.isArray(patch) ? patch : { ...good, ...patch };
    await refused(write(JSON.stringify(content)), 2, message);
  });

  it('a short signature (64 bytes) is refused', async () => {
    await refused(
      write(await approvalFile(1, {}, (s) => s.slice(0, 130) as Hex)),
      2,
      /signature is 64 bytes, not 65/,
    );
  });

  it('a huge file (1 MiB of signature) is refused by its size, not parsed', async () => {
    const good = await approvalFile(1);
    const file = write({ ...good, signature: `0x${'ab'.repeat(512 * 1024)}` });
    await refused(file, 2, /approval file .* is \d+ bytes; an approval file is at most 65536/);
  });

  it('Safe signatures by another owner than the approver are refused', async () => {
    const request = typedData();
    const schedule = request.safeTxs.find((t) => t.purpose === 'schedule') as TypedDataRequest['safeTxs'][0];
    const byOwner3 = metamaskSign(KEY_ENV.OWNER3_KEY, schedule.typedData);
    const file = {
      ...(await approvalFile(2)),
      safeSignatures: [{ purpose: 'schedule', safeNonce: schedule.safeNonce, signature: byOwner3 }],
    };
    await refused(write(file), 2, /the schedule SafeTx signature is by 0x\w+, the approval by 0x\w+/);
  });

  it('a Safe signature for a stale or a future Safe nonce is refused, naming the nonce it must be', async () => {
    const request = typedData();
    const schedule = request.safeTxs.find((t) => t.purpose === 'schedule') as TypedDataRequest['safeTxs'][0];
    const current = BigInt(schedule.safeNonce);
    for (const nonce of [current + 5n, ...(current > 0n ? [current - 1n] : [])]) {
      const td = {
        ...schedule.typedData,
        message: { ...schedule.typedData.message, nonce: nonce.toString() },
      };
      const signature = metamaskSign(KEY_ENV.OWNER2_KEY, td);
      const file = {
        ...(await approvalFile(2)),
        safeSignatures: [{ purpose: 'schedule', safeNonce: nonce.toString(), signature }],
      };
      await refused(
        write(file),
        2,
        new RegExp(
          `is for Safe nonce ${nonce}; the Safe is at ${current}, so schedule must be signed for nonce ${current}`,
        ),
      );
    }
  });

  it('a Safe signature with v = 31 (read by the Safe as eth_sign) is refused', async () => {
    const schedule = typedData().safeTxs[0] as TypedDataRequest['safeTxs'][0];
    const sig = metamaskSign(KEY_ENV.OWNER2_KEY, schedule.typedData);
    const v31 = `${sig.slice(0, 130)}1f` as Hex;
    const file = {
      ...(await approvalFile(2)),
      safeSignatures: [{ purpose: 'schedule', safeNonce: schedule.safeNonce, signature: v31 }],
    };
    await refused(write(file), 2, /signature has v = 31/);
  });

  it('the high-s twin of a Safe signature is refused', async () => {
    const schedule = typedData().safeTxs[0] as TypedDataRequest['safeTxs'][0];
    const twin = highS(metamaskSign(KEY_ENV.OWNER2_KEY, schedule.typedData));
    const file = {
      ...(await approvalFile(2)),
      safeSignatures: [{ purpose: 'schedule', safeNonce: schedule.safeNonce, signature: twin }],
    };
    await refused(write(file), 2, /the schedule SafeTx signature has a high s value/);
  });
});

describe('an --out that cannot be written', () => {
  it('is refused before the approval is signed or recorded: exit 2 means nothing was done', async () => {
    const before = await snapshot();
    const r = pg(['approve', digest, '--key-env', 'OWNER1_KEY', '--out', '/nonexistent/approve.json']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      'patchgate: cannot write --out /nonexistent/approve.json: ENOENT',
    ]);
    expect(await snapshot()).toEqual(before);
  });
});

describe('the same signer twice', () => {
  it('approving twice with the same key is idempotent: exit 0, "already approved" (text and JSON), nothing duplicated', async () => {
    const first = pg(['approve', digest, '--key-env', 'OWNER1_KEY']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^APPROVED by 0x\w+: 1 of 2 approvals \(state proposed\)/);
    const before = await snapshot();
    expect(before.approvals).toHaveLength(1);
    expect(before.safe_signatures).toHaveLength(2);
    const again = pg(['approve', digest, '--key-env', 'OWNER1_KEY']);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.stdout).toMatch(
      /^already approved by 0x\w+: nothing changed; 1 of 2 approvals \(state proposed\)/,
    );
    const asJson = json<{ alreadyApproved: boolean; approvals: number; safeSigned: unknown[] }>(
      pg(['approve', digest, '--key-env', 'OWNER1_KEY', '--format', 'json']),
    );
    expect(asJson).toMatchObject({ alreadyApproved: true, approvals: 1, safeSigned: [] });
    expect(await snapshot()).toEqual(before);
  });

  it('a second approval file by the same signer (another nonce) counts once: exit 0, nothing changed', async () => {
    const before = await snapshot();
    const r = pg(['approve', digest, '--approval', write(await approvalFile(1, { nonce: 99n }))]);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^already approved by/)]);
    expect(await snapshot()).toEqual(before);
  });
});

describe('an approval with expiry 2^256 − 1 already in the store (written before the bound existed)', () => {
  it('is shown by status and refused by queue — never "Invalid time value"', async () => {
    const forever = await signApproval(localAccount(3) as never, {
      digest,
      chainId: 31337,
      proxy: vault,
      nonce: 1n,
      expiry: UINT256_MAX,
    });
    const db = await openDirect();
    await db.query(
      'insert into approvals (digest, signer, nonce, expiry, signature) values ($1, $2, $3, $4, $5)',
      [digest, localAccount(3).address, '1', UINT256_MAX.toString(), forever.signature],
    );
    await db.close();
    try {
      const text = pg(['status', digest]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain(
        `expires unix ${UINT256_MAX}  REFUSED: approval expiry ${UINT256_MAX} is beyond`,
      );
      expect(text.stdout).toMatch(/approvals +2 \(1 valid, 2 needed\)/);
      const list = pg(['status']);
      expect(list.code, list.stderr).toBe(0);
      const before = await snapshot();
      const q = pg(['queue', digest, '--key-env', 'OUTSIDER_KEY']);
      expect([q.code, q.stderr]).toEqual([
        2,
        expect.stringContaining('has 1 valid approval(s); the standard lane needs 2'),
      ]);
      expect(q.stderr).toContain('approval 2: approval expiry');
      expect(await snapshot()).toEqual(before);
    } finally {
      const clean = await openDirect();
      await clean.query('delete from approvals where signer = $1', [localAccount(3).address]);
      await clean.close();
    }
  });
});

function metamaskSign(key: string, data: WalletTypedData): Hex {
  return signTypedData({
    privateKey: Buffer.from(key.slice(2), 'hex'),
    data: data as never,
    version: SignTypedDataVersion.V4,
  }) as Hex;
}

describe('real wallets sign what `approve --typed-data` prints', () => {
  it('prints wallet-ready typed data (EIP712Domain listed), the hashes to check, and how ethers users pass it', () => {
    const r = pg(['approve', digest, '--typed-data']);
    expect(r.code, r.stderr).toBe(0);
    const request = JSON.parse(r.stdout) as TypedDataRequest;
    expect(request.approval.typedData.types.EIP712Domain?.map((f) => f.name)).toEqual([
      'name',
      'version',
      'chainId',
      'verifyingContract',
    ]);
    expect(request.safeTxs.map((t) => [t.purpose, t.typedData.types.EIP712Domain?.length])).toEqual([
      ['schedule', 2],
      ['execute', 2],
    ]);
    expect(request.safeTxs.every((t) => t.hash === t.safeTxHash)).toBe(true);
    expect(r.stderr).toContain(`approval              EIP-712 hash ${request.approval.hash}`);
    expect(r.stderr).toMatch(
      /ethers v6: wallet.signTypedData\(typedData.domain, typedData.types without its EIP712Domain entry/,
    );
    expect(request.file).toMatchObject({ digest, chainId: 31337, proxy: vault });
  });

  it('MetaMask (eth-sig-util V4) signs the approval and both SafeTxs; approve --approval records them and the patch is approved', () => {
    const request = typedData();
    const file = {
      ...request.file,
      signature: metamaskSign(KEY_ENV.OWNER2_KEY, request.approval.typedData),
      safeSignatures: request.safeTxs.map((t) => ({
        purpose: t.purpose,
        safeNonce: t.safeNonce,
        signature: metamaskSign(KEY_ENV.OWNER2_KEY, t.typedData),
      })),
    };
    const r = pg(['approve', digest, '--approval', write(file), '--format', 'json']);
    expect(json<{ state: string; approvals: number; safeSigned: unknown[] }>(r)).toMatchObject({
      state: 'approved',
      approvals: 2,
      safeSigned: [{ purpose: 'schedule' }, { purpose: 'execute' }],
    });
    const owners = status().safeSignatures.filter((s) => s.owner === localAccount(2).address);
    expect(owners.map((s) => s.purpose).sort()).toEqual(['execute', 'schedule']);
  });

  it('ethers v6 signTypedData (types without EIP712Domain) signs an approval and SafeTxs that are accepted too', async () => {
    const request = typedData();
    const wallet = new Wallet(KEY_ENV.OWNER3_KEY);
    const sign = (td: WalletTypedData) => {
      const { EIP712Domain: _domain, ...types } = td.types;
      return wallet.signTypedData(td.domain, types, td.message);
    };
    const file = {
      ...request.file,
      signature: await sign(request.approval.typedData),
      safeSignatures: await Promise.all(
        request.safeTxs.map(async (t) => ({
          purpose: t.purpose,
          safeNonce: t.safeNonce,
          signature: await sign(t.typedData),
        })),
      ),
    };
    const r = json<{ state: string; approvals: number; signer: string }>(
      pg(['approve', digest, '--approval', write(file), '--format', 'json']),
    );
    expect(r).toMatchObject({ state: 'approved', approvals: 3, signer: localAccount(3).address });
  });

  it('queue sends the schedule with the wallet-signed Safe signatures, accepted by the real Safe', async () => {
    const db = await openDirect();
    // Keep only the wallet-made Safe signatures (owners 2 and 3): the Safe must accept exactly those.
    await db.query('delete from safe_signatures where owner = $1', [localAccount(1).address]);
    await db.close();
    const q = json<{ state: string; txHash: Hex }>(
      pg(['queue', digest, '--key-env', 'OUTSIDER_KEY', '--format', 'json']),
    );
    expect(q.state).toBe('queued');
    const scheduled = await live.clients.public.getContractEvents({
      address: live.system.governance.timelock,
      abi: TIMELOCK_ABI,
      eventName: 'CallScheduled',
      fromBlock: 0n,
    });
    expect(scheduled.map((l) => l.transactionHash)).toEqual([q.txHash]);
  });
});

describe('a chain where the system is not deployed', () => {
  it('approve, queue, execute, cancel, verify and status --rpc print one line naming the missing contract, exit 2', async () => {
    const empty = await startAnvil();
    try {
      for (const args of [
        ['approve', digest, '--key-env', 'OWNER1_KEY'],
        ['approve', digest, '--typed-data'],
        ['queue', digest, '--key-env', 'OUTSIDER_KEY'],
        ['execute', digest, '--key-env', 'OUTSIDER_KEY'],
        ['cancel', digest, '--key-env', 'OWNER1_KEY'],
        ['verify', digest],
        ['status', digest],
      ]) {
        const r = runCli([...args, '--rpc', empty.rpcUrl, '--state-dir', state], {
          cwd: live.configDir,
          env: KEY_ENV,
        });
        expect([args[0], r.code], r.stderr).toEqual([args[0], 2]);
        const [first, hint, ...rest] = r.stderr.trimEnd().split('\n');
        expect(first).toBe(`patchgate: no contract at ${vault} (vault proxy) on chain 31337`);
        expect(hint).toMatch(/^ {2}hint: --rpc is not the chain patch 0x\w+… was proposed on/);
        expect(rest).toEqual([]);
        expect(r.stdout).toBe('');
      }
    } finally {
      await empty.stop();
    }
  });
});
