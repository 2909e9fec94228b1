/**
 * OpenZeppelin Monitor's condition language, the subset patchgate's match rule understands: comparisons
 * (`==`, `!=`, `>`, `>=`, `<`, `<=`) of one decoded parameter — by name, or `$0`, `$1`… by position — with a number
 * (decimal or 0x hex), address, string (single or double quotes) or boolean literal, combined with `AND` and `OR`
 * (AND binds tighter) and parentheses. Anything else (`contains`, arithmetic, array indexing) is a parse error that
 * names the expression and the position.
 *
 * Three steps, each a function: `parseExpression` (text → tree), `checkExpression` (the tree against the parameters
 * of the event or function: every name exists, every literal fits its parameter's type — so a rule is refused when
 * the watcher starts, not on the first matching block), `evaluate` (the tree on one decoded call or event).
 * Integers compare as bigint; addresses and hex bytes compare case-insensitively.
 */
import { inputError } from '../core/errors.js';

export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export type Literal =
  | { kind: 'number'; text: string; value: bigint }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean };

export type Expr =
  | { type: 'and' | 'or'; left: Expr; right: Expr }
  | { type: 'compare'; param: string | number; op: CompareOp; literal: Literal; position: number };

/** A parameter as the event or function declares it. */
export interface Param {
  name?: string | undefined;
  type: string;
}

type Token =
  | { t: 'op'; op: CompareOp; at: number }
  | { t: 'and' | 'or' | '(' | ')'; at: number }
  | { t: 'ident'; name: string; at: number }
  | { t: 'index'; index: number; at: number }
  | { t: 'lit'; literal: Literal; at: number };

function parseError(source: string, at: number, what: string) {
  return inputError(
    'watch-expression-invalid',
    `expression "${source}": ${what} at position ${at}`,
    'write comparisons of a parameter with a literal, joined by AND / OR, e.g. value > 1000000 AND to != 0x0000000000000000000000000000000000000000',
  );
}

const OPS: readonly CompareOp[] = ['==', '!=', '>=', '<=', '>', '<'];

function lexOne(source: string, i: number): { token: Token; end: number } {
  const rest = source.slice(i);
  const c = source[i] as string;
  if (c === '(' || c === ')') return { token: { t: c, at: i }, end: i + 1 };
  const op = OPS.find((o) => rest.startsWith(o));
  if (op) return { token: { t: 'op', op, at: i }, end: i + op.length };
  if (c === '"' || c === "'") {
    const close = source.indexOf(c, i + 1);
    if (close < 0) throw parseError(source, i, 'unterminated string');
    return {
      token: { t: 'lit', literal: { kind: 'string', value: source.slice(i + 1, close) }, at: i },
      end: close + 1,
    };
  }
  const index = /^\$(\d+)/.exec(rest);
  if (index) return { token: { t: 'index', index: Number(index[1]), at: i }, end: i + index[0].length };
  const num = /^-?(0x[0-9a-fA-F]+|\d+)(?![\w.])/.exec(rest);
  if (num) {
    const text = num[0];
    const value = text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
    return { token: { t: 'lit', literal: { kind: 'number', text, value }, at: i }, end: i + text.length };
  }
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  if (word) {
    const w = word[0];
    const end = i + w.length;
    if (w === 'AND' || w === 'and') return { token: { t: 'and', at: i }, end };
    if (w === 'OR' || w === 'or') return { token: { t: 'or', at: i }, end };
    if (w === 'true' || w === 'false')
      return { token: { t: 'lit', literal: { kind: 'bool', value: w === 'true' }, at: i }, end };
    return { token: { t: 'ident', name: w, at: i }, end };
  }
  throw parseError(source, i, `unexpected "${c}"`);
}

function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    if (/\s/.test(source[i] as string)) {
      i++;
      continue;
    }
    const { token, end } = lexOne(source, i);
    tokens.push(token);
    i = end;
  }
  return tokens;
}

/** The text as a tree; a parse error (exit 2) names the expression and the position (0-based). */
export function parseExpression(source: string): Expr {
  const tokens = lex(source);
  let pos = 0;
  const at = () => tokens[pos]?.at ?? source.length;
  const describe = (t: Token | undefined) => (t ? `"${source.slice(t.at).split(/\s/)[0]}"` : 'the end');
  const expect = (what: string): never => {
    throw parseError(source, at(), `expected ${what}, found ${describe(tokens[pos])}`);
  };

  const comparison = (): Expr => {
    const head = tokens[pos];
    if (head?.t === '(') {
      pos++;
      const inner = or();
      if (tokens[pos]?.t !== ')') expect('")"');
      pos++;
      return inner;
    }
    if (head?.t !== 'ident' && head?.t !== 'index') return expect('a parameter (a name or $0, $1…)');
    pos++;
    const op = tokens[pos];
    if (op?.t !== 'op') return expect('a comparison (==, !=, >, >=, <, <=)');
    pos++;
    const lit = tokens[pos];
    if (lit?.t !== 'lit') return expect('a literal (number, address, quoted string, true or false)');
    pos++;
    return {
      type: 'compare',
      param: head.t === 'ident' ? head.name : head.index,
      op: op.op,
      literal: lit.literal,
      position: head.at,
    };
  };
  const and = (): Expr => {
    let left = comparison();
    while (tokens[pos]?.t === 'and') {
      pos++;
      left = { type: 'and', left, right: comparison() };
    }
    return left;
  };
  const or = (): Expr => {
    let left = and();
    while (tokens[pos]?.t === 'or') {
      pos++;
      left = { type: 'or', left, right: and() };
    }
    return left;
  };

  if (tokens.length === 0) throw parseError(source, 0, 'empty expression');
  const tree = or();
  if (pos < tokens.length) expect('AND, OR or the end');
  return tree;
}

type Kind = 'int' | 'address' | 'bool' | 'string' | 'bytes';

function kindOf(type: string): Kind | undefined {
  if (/^u?int\d*$/.test(type)) return 'int';
  if (type === 'address') return 'address';
  if (type === 'bool') return 'bool';
  if (type === 'string') return 'string';
  if (/^bytes\d*$/.test(type)) return 'bytes';
  return undefined;
}

function paramIndex(params: readonly Param[], ref: string | number): number {
  return typeof ref === 'number' ? ref : params.findIndex((p) => p.name === ref);
}

function literalFits(kind: Kind, lit: Literal, op: CompareOp): string | undefined {
  const ordered = op !== '==' && op !== '!=';
  if (kind === 'int') return lit.kind === 'number' ? undefined : 'an integer parameter needs a number';
  if (ordered) return `${op} compares numbers only`;
  if (kind === 'bool') return lit.kind === 'bool' ? undefined : 'a bool parameter needs true or false';
  if (kind === 'string')
    return lit.kind === 'string' ? undefined : 'a string parameter needs a quoted string';
  const hex = lit.kind === 'number' ? lit.text : lit.kind === 'string' ? lit.value : '';
  if (kind === 'address')
    return /^0x[0-9a-fA-F]{40}$/.test(hex)
      ? undefined
      : 'an address parameter needs a 0x address (40 hex digits)';
  return /^0x([0-9a-fA-F]{2})*$/.test(hex) ? undefined : 'a bytes parameter needs 0x hex';
}

/**
 * The tree against the parameters it will be evaluated on (`what` names the event or function in errors): every
 * parameter exists, its type is one the language compares, and the literal fits it.
 */
export function checkExpression(source: string, tree: Expr, params: readonly Param[], what: string): void {
  if (tree.type !== 'compare') {
    checkExpression(source, tree.left, params, what);
    checkExpression(source, tree.right, params, what);
    return;
  }
  const i = paramIndex(params, tree.param);
  const param = params[i];
  const ref = typeof tree.param === 'number' ? `$${tree.param}` : tree.param;
  if (!param) {
    const names = params.map((p, n) => p.name || `$${n}`).join(', ');
    throw parseError(source, tree.position, `${what} has no parameter ${ref} (it has: ${names || 'none'})`);
  }
  const kind = kindOf(param.type);
  if (!kind) throw parseError(source, tree.position, `${ref} is a ${param.type}, which cannot be compared`);
  const wrong = literalFits(kind, tree.literal, tree.op);
  if (wrong) throw parseError(source, tree.position, `${ref} (${param.type}): ${wrong}`);
}

function compare<T>(a: T, b: T, op: CompareOp): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

function compareOne(value: unknown, lit: Literal, op: CompareOp): boolean {
  if (typeof value === 'bigint' && lit.kind === 'number') return compare(value, lit.value, op);
  if (typeof value === 'number' && lit.kind === 'number') return compare(BigInt(value), lit.value, op);
  if (typeof value === 'boolean' && lit.kind === 'bool') return compare(value, lit.value, op);
  if (typeof value === 'string') {
    const hex = /^0x[0-9a-fA-F]*$/.test(value);
    const other = lit.kind === 'number' ? lit.text : lit.kind === 'string' ? lit.value : undefined;
    if (other === undefined) return false;
    return hex ? compare(value.toLowerCase(), other.toLowerCase(), op) : compare(value, other, op);
  }
  return false;
}

/** The tree on decoded arguments, in the order the parameters are declared. Checked first (checkExpression). */
export function evaluate(tree: Expr, params: readonly Param[], args: readonly unknown[]): boolean {
  switch (tree.type) {
    case 'and':
      return evaluate(tree.left, params, args) && evaluate(tree.right, params, args);
    case 'or':
      return evaluate(tree.left, params, args) || evaluate(tree.right, params, args);
    case 'compare':
      return compareOne(args[paramIndex(params, tree.param)], tree.literal, tree.op);
  }
}
