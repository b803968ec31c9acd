import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const entries = ['./index.ts', './testing/index.ts'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

/** Every name an entry exports, with whether its declaration carries TSDoc marked `@public`. */
function exportsOf(entry: string, program: ts.Program) {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry)!;
  return checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const tags = (target.declarations ?? []).flatMap((d) => ts.getJSDocTags(d).map((t) => t.tagName.text));
    return { name: symbol.name, public: tags.includes('public') };
  });
}

describe('the public API', () => {
  it('marks every export of @qdesk/matching and @qdesk/matching/testing @public in its TSDoc', () => {
    const program = ts.createProgram(entries, {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions: ['qdesk-source'],
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
    });
    const all = entries.flatMap((entry) => exportsOf(entry, program));
    expect(all.length).toBeGreaterThan(60);
    expect(all.filter((e) => !e.public).map((e) => e.name)).toEqual([]);
  });
});
