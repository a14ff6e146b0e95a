import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDeps, importsOf } from './check-deps.js';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('check-deps', () => {
  it('every workspace of this repository declares exactly what it imports', () => {
    expect(checkDeps(ROOT)).toEqual([]);
  });

  it('tells value imports from type-only ones, and sees packages used by path', () => {
    const { value, type } = importsOf(
      'x.ts',
      [
        "import a from 'pkg-a';",
        "import type { B } from 'pkg-b';",
        "import { type C, type D } from '@scope/pkg-c/sub';",
        "import { type E, f } from 'pkg-e';",
        "export type { G } from 'pkg-g';",
        "export { h } from 'pkg-h';",
        "import 'pkg-side-effect';",
        "import { readFile } from 'node:fs'; import path from 'path'; import x from './local.js';",
        "const m = await import('pkg-dynamic');",
        "const bin = createRequire(import.meta.url).resolve('pkg-by-path/package.json');",
        "let t: import('pkg-i').T;",
      ].join('\n'),
    );
    expect([...value].sort()).toEqual(['pkg-a', 'pkg-by-path', 'pkg-dynamic', 'pkg-e', 'pkg-h', 'pkg-side-effect']);
    expect([...type].sort()).toEqual(['@scope/pkg-c', 'pkg-b', 'pkg-g', 'pkg-i']);
    // A package used by path alone (gifski's binary, swagger-ui's assets), nested in a function.
    const byPath = importsOf('y.ts', "import { createRequire } from 'node:module';\nexport function bin() {\n  return createRequire(import.meta.url).resolve('pkg-binary/package.json');\n}\n");
    expect([...byPath.value]).toEqual(['pkg-binary']);
  });

  it('fails on a missing, a misplaced and an unused dependency, and on root dependencies', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'framesmith-check-deps-'));
    const write = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    };
    write('package.json', JSON.stringify({ workspaces: ['w', 'v'], dependencies: { leaked: '1' }, devDependencies: { vitest: '1' } }));
    write('v/package.json', JSON.stringify({ name: 'v' }));
    write('w/package.json', JSON.stringify({ name: 'w', dependencies: { used: '1', 'types-only': '1', unused: '1' }, devDependencies: { 'needed-at-run-time': '1', v: '1' } }));
    write('w/src/main.ts', "import u from 'used'; import n from 'needed-at-run-time'; import m from 'missing'; import type { T } from 'types-only'; import type { V } from 'v/src/v.js';\n");
    write('w/src/main.test.ts', "import { it } from 'vitest'; import t from 'test-only-undeclared';\n");
    expect(checkDeps(dir)).toEqual([
      'root: leaked is in the root\'s "dependencies", which every image installs: make it a devDependency, or a dependency of the workspace that imports it',
      'w: missing is imported by src/ but not in "dependencies"',
      'w: needed-at-run-time is imported by src/ but not in "dependencies" (it is a devDependency, which images omit)',
      'w: test-only-undeclared is imported (types, tests or scripts) but declared nowhere: add it to "devDependencies"',
      'w: types-only is only used by types, tests or scripts: move it to "devDependencies"',
      'w: unused is in "dependencies" but nothing imports it',
      'w: v is a workspace of this repository: as a devDependency it brings its dependencies into this workspace\'s image; import its types undeclared',
    ]);
  });
});
