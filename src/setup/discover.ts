/**
 * Which contracts of a project are upgradeable implementations, read from the compiler's AST (never from source
 * text): those that inherit OpenZeppelin's `Initializable` or `UUPSUpgradeable`, have an `initializer`-guarded
 * function or call `_disableInitializers()` in a constructor, and those the project's own code deploys behind a
 * proxy (`new ERC1967Proxy(address(impl), …)`). Libraries, interfaces, abstract contracts, tests, scripts, mocks
 * and the sources of dependencies (OpenZeppelin's own) are left out.
 */
import type { ContractDefinition, FunctionDefinition, SourceUnit } from 'solidity-ast';
import { findAll } from 'solidity-ast/utils.js';
import { type AnyNode, constructors, contractView, inherits, walk } from '../analyze/ast.js';
import { compiled } from '../build/artifact.js';
import { allContracts } from '../build/find.js';
import type { ContractHandle, Project } from '../build/types.js';
import type { ProxyKind } from '../core/proxy-kinds.js';

export interface DiscoveredContract {
  name: string;
  sourceName: string;
  /** `path/File.sol:Name`, what the config's `reference` holds. */
  reference: string;
  kind: ProxyKind;
  /** Why it is listed, in words (`inherits UUPSUpgradeable`, `deployed behind ERC1967Proxy in script/Deploy.s.sol`). */
  reasons: string[];
}

/** Source paths that hold dependencies, tests, scripts or mocks, never a project's own implementation. */
const NOT_OWN = /(^@|^lib\/|(^|\/)node_modules\/|(^|\/)(tests?|scripts?|mocks?)\/|\.t\.sol$|\.s\.sol$)/i;

/** A source the project itself wrote (not a dependency under lib/ or node_modules, not OpenZeppelin's). */
export function isOwnSource(sourceName: string): boolean {
  return !/(^@|^lib\/|(^|\/)node_modules\/)/.test(sourceName);
}

/** The proxy contracts whose first constructor argument is the implementation, and the kind they make. */
const PROXIES: Record<string, ProxyKind> = {
  ERC1967Proxy: 'uups',
  TransparentUpgradeableProxy: 'transparent',
  UpgradeableBeacon: 'beacon',
};

const contractName = (typeString: unknown): string | undefined =>
  typeof typeString === 'string' ? /^contract (\w+)$/.exec(typeString)?.[1] : undefined;

/** `address(x)` → x, `payable(address(x))` → x. */
function unwrapConversion(node: AnyNode): AnyNode {
  let n = node;
  while (n.nodeType === 'FunctionCall' && n.kind === 'typeConversion') {
    const arg = (n.arguments as AnyNode[] | undefined)?.[0];
    if (!arg) break;
    n = arg;
  }
  return n;
}

/** The contract type of an expression: `new X(…)` or a variable of type X. */
function contractOf(expr: AnyNode): string | undefined {
  if (
    expr.nodeType === 'FunctionCall' &&
    (expr.expression as AnyNode | undefined)?.nodeType === 'NewExpression'
  ) {
    const typeName = (expr.expression as AnyNode).typeName as AnyNode | undefined;
    return contractName((typeName?.typeDescriptions as { typeString?: string } | undefined)?.typeString);
  }
  return contractName((expr.typeDescriptions as { typeString?: string } | undefined)?.typeString);
}

/**
 * Every `new <Proxy>(address(impl), …)` in the project's own sources (scripts and tests included: they show how
 * the contract is deployed): implementation name → the proxy kind and where.
 */
function proxiedInSources(project: Project): Map<string, { kind: ProxyKind; where: string; proxy: string }> {
  const out = new Map<string, { kind: ProxyKind; where: string; proxy: string }>();
  for (const unit of project.units) {
    for (const [sourceName, source] of Object.entries(unit.output.sources ?? {})) {
      if (!isOwnSource(sourceName) || !source.ast) continue;
      walk(source.ast, (node) => {
        if (node.nodeType !== 'FunctionCall') return undefined;
        const callee = node.expression as AnyNode | undefined;
        if (callee?.nodeType !== 'NewExpression') return undefined;
        const proxy = contractName(
          ((callee.typeName as AnyNode | undefined)?.typeDescriptions as { typeString?: string } | undefined)
            ?.typeString,
        );
        const kind = proxy ? PROXIES[proxy] : undefined;
        const first = (node.arguments as AnyNode[] | undefined)?.[0];
        if (!proxy || !kind || !first) return undefined;
        const impl = contractOf(unwrapConversion(first));
        if (impl && !out.has(impl)) out.set(impl, { kind, where: sourceName, proxy });
        return undefined;
      });
    }
  }
  return out;
}

function isCandidate(handle: ContractHandle, def: ContractDefinition, linearized: string[]): boolean {
  if (def.contractKind !== 'contract' || def.abstract) return false;
  if (NOT_OWN.test(handle.sourceName) || /mock/i.test(handle.name)) return false;
  // forge-std's Test and Script: a test or a deploy script, wherever it sits.
  return !linearized.includes('Test') && !linearized.includes('Script');
}

const guardedBy = (fn: FunctionDefinition, names: string[]) =>
  fn.modifiers.some((m) => names.includes(m.modifierName.name));

function callsDisableInitializers(fn: FunctionDefinition): boolean {
  let found = false;
  walk(fn.body, (n) => {
    if (n.nodeType === 'Identifier' && n.name === '_disableInitializers') found = true;
    return undefined;
  });
  return found;
}

/**
 * The project's upgradeable implementations (top-level sources first), each with its inferred kind: `uups` when it
 * inherits UUPSUpgradeable (or has both `upgradeToAndCall` and `proxiableUUID`), `beacon` when the project deploys
 * it behind an UpgradeableBeacon, `transparent` otherwise.
 *
 * @example
 * ```ts
 * const found = discoverUpgradeable(await loadProject({ dir: 'examples/vault', stateDir: '.patchgate' }));
 * console.log(found.map((c) => `${c.reference} ${c.kind}`));
 * ```
 */
export function discoverUpgradeable(project: Project): DiscoveredContract[] {
  const proxied = proxiedInSources(project);
  const out: DiscoveredContract[] = [];
  for (const handle of allContracts(project)) {
    if (!isOwnSource(handle.sourceName)) continue;
    const ast = handle.unit.output.sources?.[handle.sourceName]?.ast as SourceUnit | undefined;
    const def = ast ? [...findAll('ContractDefinition', ast)].find((c) => c.name === handle.name) : undefined;
    if (!def) continue;
    const view = contractView(handle);
    if (
      !isCandidate(
        handle,
        def,
        view.linearized.map((c) => c.name),
      )
    )
      continue;
    const reasons: string[] = [];
    if (inherits(view, 'UUPSUpgradeable')) reasons.push('inherits UUPSUpgradeable');
    else if (inherits(view, 'Initializable')) reasons.push('inherits Initializable');
    const own = view.linearized.filter((c) => isOwnSource(view.fileOfNode(c)));
    const initializers = own
      .flatMap((c) => c.nodes)
      .filter((n): n is FunctionDefinition => n.nodeType === 'FunctionDefinition')
      .filter((fn) => guardedBy(fn, ['initializer', 'reinitializer']));
    if (initializers.length > 0) reasons.push(`${initializers[0]?.name}() is an initializer`);
    if (constructors(view).some((fn) => fn.body && callsDisableInitializers(fn)))
      reasons.push('its constructor calls _disableInitializers()');
    const behind = proxied.get(handle.name);
    if (behind) reasons.push(`deployed behind ${behind.proxy} in ${behind.where}`);
    if (reasons.length === 0) continue;
    const selectors = Object.keys(compiled(handle).evm.methodIdentifiers);
    const uupsAbi =
      selectors.some((s) => s.startsWith('upgradeToAndCall(')) && selectors.includes('proxiableUUID()');
    const kind: ProxyKind =
      inherits(view, 'UUPSUpgradeable') || uupsAbi
        ? 'uups'
        : behind?.kind === 'beacon'
          ? 'beacon'
          : 'transparent';
    out.push({
      name: handle.name,
      sourceName: handle.sourceName,
      reference: handle.fullyQualifiedName,
      kind,
      reasons,
    });
  }
  // The project's top-level sources first (src/Vault.sol before src/bad/VaultBroken.sol), then by name.
  const depth = (c: DiscoveredContract) => c.sourceName.split('/').length;
  return out.sort((a, b) => depth(a) - depth(b) || (a.reference < b.reference ? -1 : 1));
}
