import { SignTypedDataVersion, TypedDataUtils } from '@metamask/eth-sig-util';
import { TypedDataEncoder } from 'ethers-v6';
import { type Hex, hashTypedData, keccak256, toHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { jsonText } from '../core/report-json.js';
import { approvalTypedData } from './approval.js';
import { safeTx, safeTxTypedData } from './safe.js';
import { signingHashes, walletTypedData } from './typed-data.js';

const approval = approvalTypedData({
  digest: keccak256(toHex('patch')),
  chainId: 31337,
  proxy: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  nonce: 1_764_000_000_000n,
  expiry: 1_764_604_800n,
});
const safe = safeTxTypedData(
  31337,
  '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  safeTx('0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', '0x01d5062a00', 7n),
);

/** What a wallet receives: the printed JSON, parsed (integers as decimal strings). */
const printed = (td: Parameters<typeof walletTypedData>[0]) =>
  JSON.parse(jsonText(walletTypedData(td))) as ReturnType<typeof walletTypedData>;

describe('typed data for wallets (eth_signTypedData_v4)', () => {
  it.each([
    ['an approval', approval],
    ['a SafeTx', safe],
  ] as const)('%s: eth-sig-util V4, ethers and viem hash the printed JSON to the same hash', (_what, td) => {
    const viem = hashTypedData(td as Parameters<typeof hashTypedData>[0]);
    const wallet = printed(td);
    const metamask = `0x${TypedDataUtils.eip712Hash(wallet as never, SignTypedDataVersion.V4).toString('hex')}`;
    const { EIP712Domain: _domain, ...types } = wallet.types;
    const ethers = TypedDataEncoder.hash(wallet.domain as never, types as never, wallet.message);
    expect(signingHashes(td).hash).toBe(viem);
    expect([metamask, ethers]).toEqual([viem, viem]);
  });

  it('lists the domain type: without it eth-sig-util V4 hashes another digest (the bug it fixes)', () => {
    const wallet = printed(approval);
    expect(wallet.types.EIP712Domain.map((f) => f.name)).toEqual([
      'name',
      'version',
      'chainId',
      'verifyingContract',
    ]);
    expect(printed(safe).types.EIP712Domain.map((f) => f.name)).toEqual(['chainId', 'verifyingContract']);
    const { EIP712Domain: _domain, ...bare } = wallet.types;
    const without = `0x${TypedDataUtils.eip712Hash({ ...wallet, types: bare } as never, SignTypedDataVersion.V4).toString('hex')}`;
    expect(without).not.toBe(signingHashes(approval).hash);
  });

  it('gives the domain and message hashes a hardware wallet shows', () => {
    const wallet = printed(approval);
    const h = signingHashes(approval);
    const domain = `0x${TypedDataUtils.hashStruct('EIP712Domain', wallet.domain as never, wallet.types as never, SignTypedDataVersion.V4).toString('hex')}`;
    const message = `0x${TypedDataUtils.hashStruct('Approval', wallet.message as never, wallet.types as never, SignTypedDataVersion.V4).toString('hex')}`;
    expect([h.domainHash, h.messageHash]).toEqual([domain, message]);
    expect(keccak256(`0x1901${h.domainHash.slice(2)}${h.messageHash.slice(2)}` as Hex)).toBe(h.hash);
  });
});
