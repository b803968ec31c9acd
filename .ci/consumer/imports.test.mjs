// Run by run.sh with vitest inside the consumer project (no msw installed): every entry of every package, testing
// entries included, loads through `import` and through `require`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';

const require = createRequire(import.meta.url);

it('the project has no msw', () => {
  expect(() => require.resolve('msw')).toThrow();
});

const entries = ['core', 'autotask-adapter', 'channels', 'directory', 'matching', 'store-postgres'].flatMap(
  (name) => {
    const manifest = JSON.parse(readFileSync(`node_modules/@qdesk/${name}/package.json`, 'utf8'));
    return Object.entries(manifest.exports)
      .filter(([subpath]) => subpath !== './package.json')
      .map(([subpath, conditions]) => ({
        entry: `@qdesk/${name}${subpath.slice(1)}`,
        // Entries that import vitest are ESM only (vitest cannot be required); the others ship both.
        ways: 'require' in conditions ? ['import', 'require'] : ['import'],
      }));
  },
);
// The one entry that exists to wrap msw: it must fail, and only because msw is missing.
const needsMsw = new Set(['@qdesk/autotask-adapter/testing/msw']);

for (const { entry, ways } of entries) {
  it.each(ways)(`${entry} loads with %s`, async (how) => {
    const load = () => (how === 'import' ? import(entry) : Promise.resolve().then(() => require(entry)));
    if (needsMsw.has(entry)) {
      await expect(load()).rejects.toThrow(/msw/);
      return;
    }
    const module = await load();
    expect(Object.keys(module).length, `${entry} exports something`).toBeGreaterThan(0);
  });
}
