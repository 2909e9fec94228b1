/**
 * An injected EIP-1193 wallet (`window.ethereum`): accounts, Sign-In with Ethereum (EIP-4361 message built with
 * viem/siwe from the server's nonce, `personal_sign`), and the approval's typed data (`eth_signTypedData_v4`). The
 * page checks what it is asked to sign before the wallet sees it: the approval names this patch and this chain, and
 * each typed data hashes (viem, here) to the hash the server stated.
 */
import { getAddress, getTypesForEIP712Domain, hashTypedData, recoverTypedDataAddress, toHex } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import {
  type ApprovalRequest,
  api,
  type CommunityReview,
  type Hex,
  type ReviewVerdict,
  type Session,
  type WalletTypedData,
} from './api';

interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

declare global {
  interface Window {
    ethereum?: Eip1193;
  }
}

export class WalletError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function provider(): Eip1193 {
  if (!window.ethereum) {
    throw new WalletError(
      'no wallet found in this browser (window.ethereum)',
      'install or unlock an EIP-1193 wallet, or use "Paste a signed approval" below',
    );
  }
  return window.ethereum;
}

async function ask<T>(method: string, params?: unknown[]): Promise<T> {
  try {
    return (await provider().request({ method, ...(params ? { params } : {}) })) as T;
  } catch (e) {
    if (e instanceof WalletError) throw e;
    const m = (e as { message?: string; code?: number }).message ?? String(e);
    throw new WalletError(
      `the wallet refused ${method}: ${m}`,
      'approve the request in the wallet, or try again',
    );
  }
}

/** The wallet's first account, checksummed. */
export async function connect(): Promise<Hex> {
  const accounts = await ask<string[]>('eth_requestAccounts');
  const first = accounts[0];
  if (!first) throw new WalletError('the wallet shared no account', 'unlock the wallet and connect again');
  return getAddress(first);
}

/** Sign in as `address`: the server's nonce, domain and chain in an EIP-4361 message, signed by the wallet. */
export async function signIn(address: Hex): Promise<Session> {
  const n = await api<{ nonce: string; domain: string; chainId: number }>('/api/auth/nonce', {
    method: 'POST',
  });
  const walletChain = Number(await ask<string>('eth_chainId'));
  if (walletChain !== n.chainId) {
    throw new WalletError(
      `the wallet is on chain ${walletChain}; this server signs in for chain ${n.chainId}`,
      `switch the wallet to chain ${n.chainId} and connect again`,
    );
  }
  const message = createSiweMessage({
    domain: n.domain,
    address,
    statement: 'Sign in to patchgate to review and approve patches.',
    uri: window.location.origin,
    version: '1',
    chainId: n.chainId,
    nonce: n.nonce,
    issuedAt: new Date(),
  });
  const signature = await ask<Hex>('personal_sign', [toHex(message), address]);
  await api<Session>('/api/auth/login', { method: 'POST', body: { message, signature } });
  // The session as /api/auth/me states it: with the roles this account holds here (login does not say).
  return api<Session>('/api/auth/me');
}

/** The typed data as viem types it (integers as bigints), to recompute the hash the wallet will sign. */
function viemTypedData(data: WalletTypedData) {
  const { EIP712Domain: _domain, ...types } = data.types;
  const message = { ...data.message };
  for (const f of types[data.primaryType] ?? []) {
    if (/^u?int\d*$/.test(f.type)) message[f.name] = BigInt(message[f.name] as string);
  }
  const domain = { ...data.domain, chainId: Number(data.domain.chainId) };
  return { domain, types, primaryType: data.primaryType, message } as Parameters<typeof hashTypedData>[0];
}

function checkHash(what: string, data: WalletTypedData, stated: Hex): void {
  const recomputed = hashTypedData(viemTypedData(data));
  if (recomputed !== stated) {
    throw new WalletError(
      `the ${what} the server sent hashes to ${recomputed}, not to the ${stated} it stated`,
      'do not sign: the server and the page disagree on what is signed',
    );
  }
}

/**
 * The approval file for `patch`, signed by `address`: the approval (checked to name this patch, proxy and chain),
 * then each SafeTx, every hash recomputed first.
 * `onStep` says which signature the wallet is asked for.
 */
export async function signApproval(
  address: Hex,
  patch: { digest: Hex; chainId: number; proxy: Hex },
  onStep: (what: string) => void,
): Promise<Record<string, unknown>> {
  const req = await api<ApprovalRequest>(`/api/patches/${patch.digest}/approval-request`);
  const { message: m, domain } = req.approval.typedData;
  const same = (a: unknown, b: string) => String(a).toLowerCase() === b.toLowerCase();
  if (
    !same(m.digest, patch.digest) ||
    !same(m.proxy, patch.proxy) ||
    Number(domain.chainId) !== patch.chainId
  ) {
    throw new WalletError(
      `the approval request is for ${String(m.digest)} of proxy ${String(m.proxy)} on chain ${String(domain.chainId)}, not this patch`,
      'do not sign: reload the patch and try again',
    );
  }
  checkHash('approval', req.approval.typedData, req.approval.hash);
  for (const tx of req.safeTxs) checkHash(`${tx.purpose} SafeTx`, tx.typedData, tx.hash);
  const sign = (data: WalletTypedData) => signTypedData(address, data);
  onStep('the approval (EIP-712)');
  const signature = await sign(req.approval.typedData);
  const safeSignatures = [];
  for (const [i, tx] of req.safeTxs.entries()) {
    onStep(`the ${tx.purpose} Safe transaction (nonce ${tx.safeNonce})`);
    safeSignatures.push({ ...req.file.safeSignatures[i], signature: await sign(tx.typedData) });
  }
  return { ...req.file, signature, safeSignatures };
}

/** The Review template from `GET …/reviews`, checked to name this patch, chain and proxy, filled in. */
export function reviewToSign(
  template: WalletTypedData,
  patch: { digest: Hex; chainId: number; proxy: Hex },
  verdict: ReviewVerdict,
  text: string,
): WalletTypedData {
  const { domain, message } = template;
  const same = (a: unknown, b: string) => String(a).toLowerCase() === b.toLowerCase();
  if (
    template.primaryType !== 'Review' ||
    domain.name !== 'patchgate' ||
    Number(domain.chainId) !== patch.chainId ||
    !same(domain.verifyingContract, patch.proxy) ||
    !same(message.digest, patch.digest)
  ) {
    throw new WalletError(
      `the review template is a ${template.primaryType} for ${String(message.digest)} of ${String(domain.verifyingContract)} on chain ${String(domain.chainId)}, not a Review of this patch`,
      'do not sign: reload the page and try again',
    );
  }
  // Wallets hash the domain with the EIP712Domain type the data carries (MetaMask takes a missing one as empty).
  const EIP712Domain = template.types.EIP712Domain ?? getTypesForEIP712Domain({ domain });
  return {
    ...template,
    types: { ...template.types, EIP712Domain },
    message: { ...message, verdict, text },
  };
}

/** `address`'s signature of `data`, by the wallet (eth_signTypedData_v4). */
export function signTypedData(address: Hex, data: WalletTypedData): Promise<Hex> {
  return ask<Hex>('eth_signTypedData_v4', [address, JSON.stringify(data)]);
}

/** Does `review`'s signature recover, here, to its signer over this patch's Review statement? */
export async function reviewSignedBySigner(
  template: WalletTypedData,
  review: CommunityReview,
): Promise<boolean> {
  try {
    const data = viemTypedData({
      ...template,
      message: { ...template.message, verdict: review.verdict, text: review.text },
    });
    const signer = await recoverTypedDataAddress({ ...data, signature: review.signature });
    return signer.toLowerCase() === review.signer.toLowerCase();
  } catch {
    return false;
  }
}
