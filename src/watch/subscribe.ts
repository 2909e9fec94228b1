/**
 * Push instead of poll, where the node offers it: a WebSocket subscription to new heads and new pending
 * transactions (`eth_subscribe`) that wakes the watcher's loop at once. The loop still reads everything over
 * HTTP (one reader, one code path); the subscription only says "look now" (viem subscribes, never polls, over a
 * WebSocket transport). A socket that fails or drops costs
 * latency, never an event: the loop keeps polling every `pollMs` regardless.
 */
import { createPublicClient, webSocket } from 'viem';
import { displayUrl } from '../chain/rpc.js';
import { inputError } from '../core/errors.js';

export interface Subscription {
  close(): Promise<void>;
}

/** `ws://` or `wss://` with a host; anything else is exit 2 naming the value. */
export function parseWsUrl(value: string, flag = '--ws'): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'ws:' && url.protocol !== 'wss:') || !url.hostname) {
    throw inputError(
      'invalid-argument',
      `${flag} "${displayUrl(value)}" is not a WebSocket URL`,
      `pass ws://host:port or wss://host/path, e.g. ${flag} ws://127.0.0.1:8545`,
    );
  }
  return value;
}

export function subscribe(url: string, wake: () => void, onError: (e: Error) => void): Subscription {
  const client = createPublicClient({ transport: webSocket(url, { retryCount: 3, reconnect: true }) });
  const unwatch = [
    client.watchBlockNumber({ onBlockNumber: wake, onError }),
    client.watchPendingTransactions({ onTransactions: wake, onError }),
  ];
  return {
    async close() {
      for (const u of unwatch) u();
      const transport = client.transport as { getRpcClient?: () => Promise<{ close(): void }> };
      await transport
        .getRpcClient?.()
        .then((rpc) => rpc.close())
        .catch(() => undefined);
    },
  };
}
