import { describe, expect, it } from 'vitest';
import { codeLength } from '../../core/bytecode.js';
import { parseSourceMap, scanOpcodes } from './opcodes.js';

describe('scanOpcodes', () => {
  it('finds SELFDESTRUCT and DELEGATECALL as instructions', () => {
    // PUSH1 0x00, DELEGATECALL, SELFDESTRUCT
    expect(scanOpcodes('6000f4ff', [0xf4, 0xff])).toEqual([
      { opcode: 0xf4, pc: 2, instruction: 1 },
      { opcode: 0xff, pc: 3, instruction: 2 },
    ]);
  });

  it('ignores the opcode bytes inside PUSH data', () => {
    // PUSH2 0xf4ff, STOP: the f4/ff bytes are data, not instructions.
    expect(scanOpcodes('61f4ff00', [0xf4, 0xff])).toEqual([]);
    // PUSH32 of 0xff…ff then DELEGATECALL at pc 33 (instruction 1).
    expect(scanOpcodes(`7f${'ff'.repeat(32)}f4`, [0xf4, 0xff])).toEqual([
      { opcode: 0xf4, pc: 33, instruction: 1 },
    ]);
  });

  it('stops before the CBOR metadata appended by solc', () => {
    // code: STOP; metadata: a1 (map of 1) 64 ... with ff bytes, length 0x0004
    const code = '00' + 'a164ffff' + '0004';
    expect(codeLength(Buffer.from(code, 'hex'))).toBe(1);
    expect(scanOpcodes(code, [0xff])).toEqual([]);
  });
});

describe('parseSourceMap', () => {
  it('decompresses omitted fields from the previous entry', () => {
    expect(parseSourceMap('1:2:0:-;:3;5::1;;')).toEqual([
      [1, 2, 0],
      [1, 3, 0],
      [5, 3, 1],
      [5, 3, 1],
      [5, 3, 1],
    ]);
  });
});

describe('scanOpcodes with a source map length', () => {
  it('ignores data the compiler appends after the last instruction', () => {
    // JUMPDEST, INVALID, then a constant blob containing 0xf4 (3 instructions mapped).
    expect(scanOpcodes('5bfef4f4', [0xf4], 2)).toEqual([]);
    expect(scanOpcodes('5bfef4f4', [0xf4])).toHaveLength(2);
  });
});
