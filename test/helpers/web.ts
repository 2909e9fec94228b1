/**
 * The web page's browser tests: the page built as `npm run build` builds it, an app served on a free port, Debian's
 * Chromium (playwright-core; no browser is downloaded) with a test wallet injected as `window.ethereum` — EIP-1193
 * answered for a local test account the test can switch, as a user switches accounts. Typed data is signed as
 * MetaMask signs it (@metamask/eth-sig-util V4, which hashes the domain with the EIP712Domain type the data lists —
 * a missing one as empty), so data a real wallet would sign differently fails here too.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { SignTypedDataVersion, signTypedData } from '@metamask/eth-sig-util';
import type { Hono } from 'hono';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Hex, LocalAccount } from 'viem';

const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../.artifacts/web/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** dist/web/ from the page's source as it is now, with React's production build as `npm run build` makes it. */
export async function buildPage(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it); no browser is downloaded`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  // vite and its React plugin read NODE_ENV (vitest's is "test", which would bundle React's development JSX), so
  // it is production for the build and put back after.
  const { build } = await import('vite');
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: `${ROOT}web/vite.config.ts`, logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

/** `app` on 127.0.0.1 and a free port; `onPort` hears the port before the first request (to bind sign-in to it). */
export async function serveOnFreePort(app: Hono, onPort: (host: string) => void = () => undefined) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  onPort(`127.0.0.1:${port}`);
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

interface WalletTypedData {
  domain: Record<string, unknown>;
  types: Record<string, { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
}

/** The private key of a local test account (an HD account of anvil's mnemonic). */
function keyOf(account: LocalAccount): Buffer {
  const key = (account as { getHdKey?: () => { privateKey: Uint8Array | null } }).getHdKey?.().privateKey;
  if (!key) throw new Error(`the test wallet has no key for ${account.address}`);
  return Buffer.from(key);
}

/** The injected wallet's answers (the EIP-1193 methods the page uses), by whichever account `current()` is. */
function walletOf(current: () => LocalAccount, chainId: number) {
  return async (method: string, paramsJson: string): Promise<unknown> => {
    const params = JSON.parse(paramsJson) as unknown[];
    const me = current();
    const mustBeMe = (a: unknown) => {
      if (String(a).toLowerCase() !== me.address.toLowerCase())
        throw new Error(`unknown account ${String(a)}`);
    };
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        return [me.address];
      case 'eth_chainId':
        return `0x${chainId.toString(16)}`;
      case 'personal_sign':
        mustBeMe(params[1]);
        return me.signMessage({ message: { raw: params[0] as Hex } });
      case 'eth_signTypedData_v4': {
        mustBeMe(params[0]);
        const data = JSON.parse(params[1] as string) as WalletTypedData;
        return signTypedData({
          privateKey: keyOf(me),
          data: data as never,
          version: SignTypedDataVersion.V4,
        });
      }
      default:
        throw new Error(`the test wallet does not do ${method}`);
    }
  };
}

/** Chromium with a page whose `window.ethereum` signs as `current()`, on `chainId`. */
export async function browserWithWallet(
  current: () => LocalAccount,
  chainId = 31337,
): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.exposeFunction('__patchgateTestWallet', walletOf(current, chainId));
  // window.ethereum as a wallet extension injects it: EIP-1193 request() answered by the test wallet.
  await context.addInitScript(`window.ethereum = {
    request: ({ method, params }) => window.__patchgateTestWallet(method, JSON.stringify(params ?? [])),
  };`);
  return { browser, page: await context.newPage() };
}

/** Waits until `testId`'s text holds `expected`; else fails naming what the page's alerts say. */
export async function waitForText(page: Page, testId: string, expected: string, timeout = 60_000) {
  const el = page.getByTestId(testId);
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if ((await el.count()) > 0 && ((await el.first().textContent()) ?? '').includes(expected)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const alerts = await page.getByRole('alert').allTextContents();
  throw new Error(
    `${testId} never said ${JSON.stringify(expected)}; the page's alerts: ${JSON.stringify(alerts)}`,
  );
}
