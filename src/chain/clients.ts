/** viem clients for one RPC endpoint, and the well-known local test accounts (anvil's mnemonic). */
import {
  type Account,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { checkedFetch, parseRpcUrl, probeRpc, requestTimeoutMs, rethrowTransportFailure } from './rpc.js';

/** anvil's default mnemonic: keys that exist only on local chains, never on a live network. */
const LOCAL_MNEMONIC = 'test test test test test test test test test test test junk';

export type Wallet = WalletClient<Transport, Chain, Account>;

export interface Clients {
  chain: Chain;
  /** A local development node (anvil, Hardhat): it mines at once and can move its clock. */
  devNode: boolean;
  public: PublicClient;
  /**
   * The same node, but requests issued together (in one tick) go out as one JSON-RPC batch, one HTTP request: for
   * many small concurrent calls (simulate's differential fuzzing), where each HTTP request costs the client more CPU
   * than the node spends answering it.
   */
  batched: PublicClient;
  test: TestClient<'anvil'>;
  wallet(account: Account): Wallet;
}

/** How often receipts are polled: a dev node mines at once; a live chain makes a block every few seconds. */
const DEV_POLL_MS = 50;
const LIVE_POLL_MS = 1_000;

/**
 * Clients for one endpoint. The URL is checked (exit 2 for a bad one) and the node asked for its chain id
 * with a bounded wait (exit 3, one line, for a dead, slow or garbage-speaking endpoint) before anything
 * else. Every answer must be JSON-RPC, and a busy node is retried with backoff (chain/rpc.ts, chain/retry.ts).
 * Receipts are polled every 50 ms on a dev node (viem's 4 s default would slow every wait and keep the process
 * alive after the work) and every second on a live chain (no point asking a 12 s chain twenty times a second).
 *
 * @example
 * ```ts
 * const clients = await connect('http://127.0.0.1:8545');
 * console.log(clients.chain.id, await clients.public.getBlockNumber());
 * ```
 */
export async function connect(
  rpcUrl: string,
  opts: { pollingInterval?: number; option?: string } = {},
): Promise<Clients> {
  const url = parseRpcUrl(rpcUrl, opts.option);
  const id = await probeRpc(url);
  const transport = http(url, { retryCount: 0, timeout: requestTimeoutMs(), fetchFn: checkedFetch(url) });
  const chain = defineChain({
    id,
    name: `local-${id}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const devNode = await isDevNode(createPublicClient({ chain, transport }) as PublicClient);
  const pollingInterval = opts.pollingInterval ?? (devNode ? DEV_POLL_MS : LIVE_POLL_MS);
  // One wallet client per account (replays send hundreds of transactions from a few accounts).
  const wallets = new Map<string, Wallet>();
  return {
    chain,
    devNode,
    public: createPublicClient({ chain, transport, pollingInterval }) as PublicClient,
    batched: createPublicClient({
      chain,
      transport: http(url, {
        retryCount: 0,
        timeout: requestTimeoutMs(),
        fetchFn: checkedFetch(url),
        batch: { batchSize: 32, wait: 0 },
      }),
      pollingInterval,
    }) as PublicClient,
    test: createTestClient({ chain, mode: 'anvil', transport, pollingInterval }) as TestClient<'anvil'>,
    wallet: (account) => {
      const key = `${account.type}:${account.address}`;
      let w = wallets.get(key);
      if (!w) {
        w = createWalletClient({ chain, transport, account, pollingInterval }) as Wallet;
        wallets.set(key, w);
      }
      return w;
    },
  };
}

/** anvil and Hardhat say who they are; a node that does not serve web3_clientVersion is not a dev node. */
async function isDevNode(client: PublicClient): Promise<boolean> {
  try {
    const version = await client.request({ method: 'web3_clientVersion' });
    return /anvil|hardhat/i.test(String(version));
  } catch (e) {
    rethrowTransportFailure(e);
    return false;
  }
}

const accounts = new Map<number, Account>();

/** Local test account N (BIP-32 derivation costs ~15 ms, so each is derived once). */
export function localAccount(index: number): Account {
  let account = accounts.get(index);
  if (!account) {
    account = mnemonicToAccount(LOCAL_MNEMONIC, { addressIndex: index });
    accounts.set(index, account);
  }
  return account;
}
