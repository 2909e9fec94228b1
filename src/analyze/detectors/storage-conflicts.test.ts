import { describe, expect, it } from 'vitest';
import { erc7201Slot } from './namespaces.js';

describe('erc7201Slot', () => {
  it("matches the slot OpenZeppelin's Initializable hard-codes for its namespace", () => {
    // INITIALIZABLE_STORAGE in @openzeppelin/contracts/proxy/utils/Initializable.sol
    expect(erc7201Slot('openzeppelin.storage.Initializable')).toBe(
      0xf0c57e16840df040f15088dc2f81fe391c3923bec73e23a9662efc9c229c6a00n,
    );
  });

  it('matches the fixture slots used by `layout at` in test/fixtures/bridge', () => {
    expect(erc7201Slot('bridge.clash').toString(16)).toBe(
      'dde74ff5976fb4ca0db0aace3294fdd6ef7b92185a666967f154138cfecca600',
    );
  });
});
