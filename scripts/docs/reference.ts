/**
 * The error-code and event references, read from the sources with the TypeScript compiler API: the members of
 * `QdeskErrorCode` and their comments, the error classes that carry each code (a subclass's narrowed `code` type,
 * the code its constructor fixes, or a table it looks the code up in), and the members of `VerifierEventMap` with
 * their payload fields. Nothing is listed by hand, so a new code or event shows up here or fails the stale check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { markdownTable } from './markdown.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
const CORE_ERRORS = join(ROOT, 'packages/core/src/errors.ts');
const CORE_EVENTS = join(ROOT, 'packages/core/src/events.ts');

/** Every non-test source file of every package. */
function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ts$/.test(entry.name) && !/\.(test|test-d|test-helpers)\.ts$/.test(entry.name))
        files.push(path);
    }
  };
  for (const pkg of readdirSync(join(ROOT, 'packages'))) walk(join(ROOT, 'packages', pkg, 'src'));
  return files.sort();
}

/** The workspace's compiler options (`tsconfig.base.json`): `@qdesk/*` resolves to each package's sources. */
export function workspaceCompilerOptions(): ts.CompilerOptions {
  const path = join(ROOT, 'tsconfig.base.json');
  const config = ts.readConfigFile(path, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
}

/** A program over every package's sources. */
export function createWorkspaceProgram(): ts.Program {
  return ts.createProgram({
    rootNames: sourceFiles(),
    options: { ...workspaceCompilerOptions(), noEmit: true },
  });
}

const docOf = (symbol: ts.Symbol | undefined, checker: ts.TypeChecker) =>
  symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim() : '';

/** The text of every `/** ... *\/` comment in `text`, tidied to one line. */
const blockComments = (text: string) =>
  [...text.matchAll(/\/\*\*([\s\S]*?)\*\//g)].map((m) =>
    m[1]!
      .split('\n')
      .map((line) => line.replace(/^\s*\*?\s?/, ''))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );

function sourceFileOf(program: ts.Program, path: string): ts.SourceFile {
  const file = program.getSourceFile(path);
  if (!file) throw new Error(`${path} is not in the program`);
  return file;
}

function findTypeAlias(file: ts.SourceFile, name: string): ts.TypeAliasDeclaration {
  const found = file.statements.find(
    (s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === name,
  );
  if (!found) throw new Error(`type ${name} not found in ${file.fileName}`);
  return found;
}

function findInterface(file: ts.SourceFile, name: string): ts.InterfaceDeclaration {
  const found = file.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  );
  if (!found) throw new Error(`interface ${name} not found in ${file.fileName}`);
  return found;
}

/** The string literals of a `const NAME: readonly T[] = [...]` array in `file`. */
export function constStringArray(file: ts.SourceFile, name: string): string[] {
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const decl of statement.declarationList.declarations) {
      if (
        ts.isIdentifier(decl.name) &&
        decl.name.text === name &&
        decl.initializer &&
        ts.isArrayLiteralExpression(decl.initializer)
      ) {
        return decl.initializer.elements.map((e) => {
          if (!ts.isStringLiteral(e)) throw new Error(`${name} holds a non-literal element`);
          return e.text;
        });
      }
    }
  }
  throw new Error(`const ${name} not found in ${file.fileName}`);
}

export interface ErrorCodeInfo {
  code: string;
  doc: string;
}

/** The members of `QdeskErrorCode`, in order, each with the comment written before it. */
export function errorCodes(program: ts.Program): ErrorCodeInfo[] {
  const file = sourceFileOf(program, CORE_ERRORS);
  const alias = findTypeAlias(file, 'QdeskErrorCode');
  if (!ts.isUnionTypeNode(alias.type)) throw new Error('QdeskErrorCode is not a union');
  const text = file.getFullText();
  let previousEnd = alias.type.getFullStart();
  return alias.type.types.map((member) => {
    if (!ts.isLiteralTypeNode(member) || !ts.isStringLiteral(member.literal))
      throw new Error('QdeskErrorCode member is not a string literal');
    const doc = blockComments(text.slice(previousEnd, member.getStart(file))).join(' ');
    previousEnd = member.getEnd();
    return { code: member.literal.text, doc };
  });
}

export interface ErrorClassInfo {
  name: string;
  /** `@qdesk/core`, `@qdesk/autotask-adapter`... */
  pkg: string;
  /** The first paragraph of the class's TSDoc. */
  summary: string;
  /** The codes it carries; `null` for the base class, which can carry any code. */
  codes: string[] | null;
  /** For a code looked up in a table: the keys that lead to each code (`AutotaskError`'s kinds). */
  via: Record<string, string[]>;
  /** The property whose value picks the code in `via` (`kind`). */
  viaField: string | null;
}

const packageOf = (fileName: string) => {
  const pkg = relative(join(ROOT, 'packages'), fileName).split('/')[0]!;
  const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8')) as {
    name: string;
  };
  return manifest.name;
};

const stringLiterals = (type: ts.Type): string[] =>
  (type.isUnion() ? type.types : [type]).flatMap((t) => (t.isStringLiteral() ? [t.value] : []));

/** The object literal a `const NAME = { ... }` declares, when `identifier` names one. */
function objectLiteralOf(
  identifier: ts.Identifier,
  checker: ts.TypeChecker,
): ts.ObjectLiteralExpression | null {
  const decl = checker.getSymbolAtLocation(identifier)?.valueDeclaration;
  return decl &&
    ts.isVariableDeclaration(decl) &&
    decl.initializer &&
    ts.isObjectLiteralExpression(decl.initializer)
    ? decl.initializer
    : null;
}

/** What the constructor's `super(message, { code })` call passes as `code`. */
function codeFromSuperCall(
  cls: ts.ClassDeclaration,
  checker: ts.TypeChecker,
): Pick<ErrorClassInfo, 'codes' | 'via' | 'viaField'> | null {
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  let found: Pick<ErrorClassInfo, 'codes' | 'via' | 'viaField'> | null = null;
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
      const options = node.arguments[1];
      if (options && ts.isObjectLiteralExpression(options)) {
        for (const prop of options.properties) {
          if (!ts.isPropertyAssignment(prop) || prop.name.getText() !== 'code') continue;
          const value = prop.initializer;
          if (ts.isStringLiteral(value)) found = { codes: [value.text], via: {}, viaField: null };
          else if (ts.isElementAccessExpression(value) && ts.isIdentifier(value.expression)) {
            const table = objectLiteralOf(value.expression, checker);
            if (!table) continue;
            const via: Record<string, string[]> = {};
            for (const entry of table.properties) {
              if (ts.isPropertyAssignment(entry) && ts.isStringLiteral(entry.initializer)) {
                const key = entry.name.getText().replace(/^['"]|['"]$/g, '');
                via[entry.initializer.text] = [...(via[entry.initializer.text] ?? []), key];
              }
            }
            found = { codes: Object.keys(via), via, viaField: value.argumentExpression.getText() };
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  if (ctor) visit(ctor);
  return found;
}

/**
 * Every class that extends core's `QdeskError` (and the base itself), with the codes each carries: its own
 * narrowed `code` type, the code its constructor fixes, a table the constructor reads the code from, or its parent's.
 */
export function errorClasses(program: ts.Program): ErrorClassInfo[] {
  const checker = program.getTypeChecker();
  const base = sourceFileOf(program, CORE_ERRORS).statements.find(
    (s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === 'QdeskError',
  );
  if (!base) throw new Error('QdeskError not found');
  const classes: ts.ClassDeclaration[] = [];
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(join(ROOT, 'packages')) || file.fileName.includes('node_modules')) continue;
    if (file.isDeclarationFile) continue;
    ts.forEachChild(file, function visit(node) {
      if (ts.isClassDeclaration(node) && node.name) classes.push(node);
      ts.forEachChild(node, visit);
    });
  }
  const parentOf = (cls: ts.ClassDeclaration): ts.ClassDeclaration | null => {
    const heritage = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (!heritage) return null;
    const symbol = checker.getSymbolAtLocation(heritage.expression);
    const target =
      symbol && (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
    const decl = target?.valueDeclaration;
    return decl && ts.isClassDeclaration(decl) ? decl : null;
  };
  const extendsBase = (cls: ts.ClassDeclaration): boolean => {
    for (let c: ts.ClassDeclaration | null = cls; c; c = parentOf(c)) if (c === base) return true;
    return false;
  };
  const infos = new Map<ts.ClassDeclaration, ErrorClassInfo>();
  const infoOf = (cls: ts.ClassDeclaration): ErrorClassInfo => {
    const known = infos.get(cls);
    if (known) return known;
    const symbol = checker.getSymbolAtLocation(cls.name!);
    const summary = docOf(symbol, checker).split(/(?<=\.) (?=[A-Z`])/)[0] ?? '';
    const info: ErrorClassInfo = {
      name: cls.name!.text,
      pkg: packageOf(cls.getSourceFile().fileName),
      summary,
      codes: null,
      via: {},
      viaField: null,
    };
    if (cls !== base) {
      const own = cls.members.find(
        (m): m is ts.PropertyDeclaration =>
          ts.isPropertyDeclaration(m) && m.name.getText() === 'code' && m.type !== undefined,
      );
      const fixed = own ? null : codeFromSuperCall(cls, checker);
      if (own) info.codes = stringLiterals(checker.getTypeFromTypeNode(own.type!));
      else if (fixed) Object.assign(info, fixed);
      else info.codes = infoOf(parentOf(cls)!).codes;
    }
    infos.set(cls, info);
    return info;
  };
  return classes.filter(extendsBase).map(infoOf);
}

/** The packages that throw the base `QdeskError` directly with a literal code, by code. */
export function baseClassCodes(program: ts.Program): Map<string, string[]> {
  const checker = program.getTypeChecker();
  const out = new Map<string, string[]>();
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(join(ROOT, 'packages')) || file.isDeclarationFile) continue;
    ts.forEachChild(file, function visit(node) {
      if (
        ts.isNewExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'QdeskError'
      ) {
        const symbol = checker.getSymbolAtLocation(node.expression);
        const target =
          symbol && (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
        const options = node.arguments?.[1];
        if (
          target?.valueDeclaration?.getSourceFile().fileName === CORE_ERRORS &&
          options &&
          ts.isObjectLiteralExpression(options)
        ) {
          for (const prop of options.properties) {
            if (
              ts.isPropertyAssignment(prop) &&
              prop.name.getText() === 'code' &&
              ts.isStringLiteral(prop.initializer)
            ) {
              const pkg = packageOf(file.fileName);
              const list = out.get(prop.initializer.text) ?? [];
              if (!list.includes(pkg)) list.push(pkg);
              out.set(prop.initializer.text, list.sort());
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    });
  }
  return out;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Generated-file banner: where it comes from and how to refresh it. */
export const banner = (source: string) =>
  `<!-- Generated by scripts/docs/generate.ts from ${source}. Do not edit: run \`pnpm run docs\` (or \`pnpm exec tsx scripts/docs/generate.ts\`). -->`;

/** `docs/reference/errors.md`. */
export function errorReference(program: ts.Program): string {
  const codes = errorCodes(program);
  const classes = errorClasses(program);
  const direct = baseClassCodes(program);
  const carriers = (code: string) => {
    const list = classes
      .filter((c) => c.codes?.includes(code))
      .map((c) => {
        const keys = c.via[code];
        const via = keys && c.viaField ? ` (${c.viaField}: ${keys.map((k) => `\`${k}\``).join(', ')})` : '';
        return `\`${c.name}\`${c.pkg === '@qdesk/core' ? '' : ` (${c.pkg})`}${via}`;
      });
    for (const pkg of direct.get(code) ?? []) list.push(`\`QdeskError\` (${pkg})`);
    return list.join(', ') || '`QdeskError`';
  };
  const lines = [
    '---',
    'title: Error codes',
    'group: Reference',
    '---',
    '',
    banner('`QdeskErrorCode` and the error classes in packages/*/src'),
    '',
    '# Error codes',
    '',
    'Every error QDesk throws on purpose is a `QdeskError` (test with `isQdeskError(error)`, which also recognises an',
    'error from another copy of the package) with a stable `code`, a message that says what to do, `details` (ids,',
    'fields, limits; never a code or token) and the original error as `cause`. Branch on `code`, or on the class',
    'where a subclass narrows it. The codes, in the order of `QdeskErrorCode`:',
    '',
    markdownTable(
      ['code', 'carried by', 'meaning'],
      codes.map((c) => [`\`${c.code}\``, carriers(c.code), cell(c.doc)]),
    ),
    '',
    '## Error classes',
    '',
    markdownTable(
      ['class', 'package', 'codes', 'what it is'],
      classes.map((c) => [
        `\`${c.name}\``,
        `\`${c.pkg}\``,
        c.codes === null ? 'any' : c.codes.map((code) => `\`${code}\``).join(', '),
        cell(c.summary),
      ]),
    ),
    '',
  ];
  return lines.join('\n');
}

export interface EventInfo {
  name: string;
  doc: string;
  fields: { name: string; type: string; doc: string }[];
}

function typeText(type: ts.Type, checker: ts.TypeChecker): string {
  const parts = type.isUnion() ? type.types : [type];
  const literal = parts.every(
    (t) => t.isStringLiteral() || t.flags & ts.TypeFlags.Null || t.flags & ts.TypeFlags.String,
  );
  if (type.isUnion() && literal) {
    const nullLast = [...parts].sort(
      (a, b) => Number(!!(a.flags & ts.TypeFlags.Null)) - Number(!!(b.flags & ts.TypeFlags.Null)),
    );
    return nullLast
      .map((t) => (t.isStringLiteral() ? `'${t.value}'` : checker.typeToString(t)))
      .join(' \\| ');
  }
  return checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation).replace(/\|/g, '\\|');
}

function fieldsOf(type: ts.Type, checker: ts.TypeChecker, except: ReadonlySet<string>) {
  return type
    .getProperties()
    .filter((p) => !except.has(p.name))
    .map((p) => {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      const t = decl ? checker.getTypeOfSymbolAtLocation(p, decl) : checker.getTypeOfSymbol(p);
      return { name: p.name, type: typeText(t, checker), doc: docOf(p, checker), pos: decl?.getStart() ?? 0 };
    })
    .sort((a, b) => a.pos - b.pos)
    .map(({ pos: _pos, ...field }) => field);
}

/** The common event fields (`VerifierEventBase`). */
export function eventBaseFields(program: ts.Program) {
  const checker = program.getTypeChecker();
  const base = findInterface(sourceFileOf(program, CORE_EVENTS), 'VerifierEventBase');
  return fieldsOf(checker.getTypeAtLocation(base.name), checker, new Set());
}

/** The members of `VerifierEventMap`, in order, with their comments and the fields beyond the common ones. */
export function verifierEvents(program: ts.Program): EventInfo[] {
  const checker = program.getTypeChecker();
  const file = sourceFileOf(program, CORE_EVENTS);
  const map = findInterface(file, 'VerifierEventMap');
  const common = new Set(eventBaseFields(program).map((f) => f.name));
  return map.members.map((member) => {
    if (!ts.isPropertySignature(member) || !member.type)
      throw new Error('VerifierEventMap member is not a property');
    const symbol = checker.getSymbolAtLocation(member.name);
    return {
      name: member.name.getText().replace(/^['"]|['"]$/g, ''),
      doc: docOf(symbol, checker),
      fields: fieldsOf(checker.getTypeFromTypeNode(member.type), checker, common),
    };
  });
}

/** Fields as a table: name, type, meaning. */
const fieldTable = (fields: readonly { name: string; type: string; doc: string }[]) =>
  markdownTable(
    ['field', 'type', 'meaning'],
    fields.map((f) => [`\`${f.name}\``, `\`${f.type}\``, cell(f.doc)]),
  );

/** `docs/reference/events.md`. */
export function eventReference(program: ts.Program): string {
  const base = eventBaseFields(program);
  const events = verifierEvents(program);
  const lines = [
    '---',
    'title: Events',
    'group: Reference',
    '---',
    '',
    banner('`VerifierEventMap` in packages/core/src/events.ts'),
    '',
    '# Verifier events',
    '',
    'Subscribe with `verifier.events.on(name, listener)` (`once` and `off` too); the listener gets a typed payload.',
    'A listener that throws does not undo or interrupt the change it hears about. No payload holds a code, a token or',
    'a hash. `VERIFIER_EVENT_NAMES` lists every name, in the order below (the order a verification can emit them).',
    '',
    '## Fields of every event',
    '',
    fieldTable(base),
    '',
    '## The events',
    '',
    markdownTable(
      ['event', 'meaning', 'more fields'],
      events.map((e) => [
        `\`${e.name}\``,
        cell(e.doc),
        e.fields.map((f) => `\`${f.name}\``).join(', ') || 'none',
      ]),
    ),
    '',
  ];
  for (const event of events) {
    lines.push(`### ${event.name}`, '', event.doc, '');
    if (event.fields.length === 0) {
      lines.push('The fields of every event, nothing more.', '');
      continue;
    }
    lines.push(fieldTable(event.fields), '');
  }
  return lines.join('\n');
}
