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
import { checkedFetch, parseRpcUrl, probeRpc, requestTimeoutMs } from './rpc.js';

/** anvil's default mnemonic: keys that exist only on local chains, never on a live network. */
export const LOCAL_MNEMONIC = 'test test test test test test test test test test test junk';

export type Wallet = WalletClient<Transport, Chain, Account>;

export interface Clients {
  chain: Chain;
  public: PublicClient;
  test: TestClient<'anvil'>;
  wallet(account: Account): Wallet;
}

/**
 * Clients for one endpoint. The URL is checked (exit 2 for a bad one) and the node asked for its chain id
 * with a bounded wait (exit 3, one line, for a dead, slow or garbage-speaking endpoint) before anything
 * else. Every answer must be JSON-RPC (chain/rpc.ts). `pollingInterval` is how often receipts are polled:
 * a local node mines at once, and viem's 4 s default would both slow every wait and keep the process alive
 * for seconds after the work.
 */
export async function connect(
  rpcUrl: string,
  opts: { pollingInterval?: number; option?: string } = {},
): Promise<Clients> {
  const url = parseRpcUrl(rpcUrl, opts.option);
  const pollingInterval = opts.pollingInterval ?? 50;
  const id = await probeRpc(url);
  const transport = http(url, { retryCount: 0, timeout: requestTimeoutMs(), fetchFn: checkedFetch(url) });
  const chain = defineChain({
    id,
    name: `local-${id}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  // One wallet client per account (replays send hundreds of transactions from a few accounts).
  const wallets = new Map<string, Wallet>();
  return {
    chain,
    public: createPublicClient({ chain, transport, pollingInterval }) as PublicClient,
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
