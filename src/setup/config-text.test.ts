import { parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { type Entry, mergeInto } from './config-text.js';

const vault: Entry = {
  section: 'contracts',
  key: 'vault',
  value: { kind: 'transparent', reference: 'src/V.sol:V' },
  comment: [],
};
const live: Entry = { section: 'live', key: 'vault', value: { address: '0xAbC' }, comment: [] };

describe('mergeInto', () => {
  it('adds an entry after the last one in the file’s style, keeping a trailing comma and comments', () => {
    const text = '{\n    // ours\n    "contracts": {\n        "a": { "reference": "A" }, // why\n    },\n}\n';
    const { text: out, added } = mergeInto(text, [vault]);
    expect(added).toEqual(['contracts.vault']);
    expect(out).toBe(
      '{\n    // ours\n    "contracts": {\n        "a": { "reference": "A" }, // why\n        "vault": { "kind": "transparent", "reference": "src/V.sol:V" },\n    },\n}\n',
    );
  });

  it('puts a new entry after the last one’s line comment, the comma right after the last one', () => {
    const text = '{\n  "contracts": {\n    "a": { "reference": "A" } // why\n  }\n}\n';
    expect(mergeInto(text, [vault]).text).toBe(
      '{\n  "contracts": {\n    "a": { "reference": "A" }, // why\n    "vault": { "kind": "transparent", "reference": "src/V.sol:V" }\n  }\n}\n',
    );
  });

  it('creates a missing section, and fills an empty one', () => {
    const text = '{\n  "contracts": {}\n}\n';
    const { text: out } = mergeInto(text, [vault, live]);
    expect(parse(out)).toEqual({
      contracts: { vault: vault.value },
      live: { vault: { address: '0xAbC' } },
    });
    expect(out).toBe(
      '{\n  "contracts": {\n    "vault": { "kind": "transparent", "reference": "src/V.sol:V" }\n  },\n  "live": {\n    "vault": { "address": "0xAbC" }\n  }\n}\n',
    );
  });

  it('keeps a different value (reported), replaces it only with force, and changes nothing when all is there', () => {
    const text = '{ "contracts": { "vault": { "kind": /* sure */ "uups", "reference": "src/V.sol:V" } } }';
    const kept = mergeInto(text, [vault]);
    expect(kept.text).toBe(text);
    expect(kept.differences).toEqual([{ path: 'contracts.vault.kind', yours: 'uups', found: 'transparent' }]);
    const forced = mergeInto(text, [vault], { force: true });
    expect(forced.text).toBe(text.replace('"uups"', '"transparent"'));
  });

  it('pairs a live entry with the contract the file holds under another name', () => {
    const text = '{ "contracts": { "Vault": { "kind": "transparent", "reference": "src/V.sol:V" } } }';
    const { text: out, added } = mergeInto(text, [vault, live]);
    expect(added).toEqual(['live.Vault']);
    expect(parse(out).live).toEqual({ Vault: { address: '0xAbC' } });
    // An address the file already has under any name is not added twice.
    expect(mergeInto(out, [vault, { ...live, key: 'other', value: { address: '0xabc' } }]).text).toBe(out);
  });
});
