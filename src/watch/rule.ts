/**
 * What a watch rule is: a name and a judgement of one block. Built-in rules live in rules/; a team's own rule is a
 * TypeScript module exporting an object of this shape.
 */
import type { Finding } from '../core/finding.js';
import type { BlockRef } from './follow.js';

export interface BlockRule {
  name: string;
  /** The alerts this block raises, each keyed (`finding.key`) so that a block seen twice raises nothing new. */
  evaluate(block: BlockRef): Promise<Finding[]>;
}
