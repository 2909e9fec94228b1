/**
 * What kinds of proxy there are, and the ERC-1967 storage slots that tell them apart on chain. `erc1967` is an
 * ERC-1967 proxy with neither an admin slot nor a UUPS implementation: something upgrades it, but not by a standard
 * this tool knows.
 */

export const ERC1967 = {
  implementation: '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc',
  admin: '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103',
  beacon: '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50',
} as const;
/** The kinds a config declares and `check` validates against. */
export type ProxyKind = 'transparent' | 'uups' | 'beacon';

/** The kinds the chain can show: a declared kind, or a bare ERC-1967 proxy. */
export type ProxyKindOnChain = ProxyKind | 'erc1967';
