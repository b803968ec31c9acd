import { ScimError, type ScimErrorType } from './scim-error.js';

/** SCIM's comparison operators (RFC 7644, section 3.4.2.2). @internal */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
/** A literal in a filter. @internal */
export type FilterValue = string | number | boolean | null;

/** `[schema:]attribute[.subAttribute]`. @internal */
export interface AttributePath {
  /** The schema URN before the attribute (`urn:ietf:params:scim:schemas:core:2.0:User`), or `null`. */
  schema: string | null;
  attribute: string;
  subAttribute: string | null;
}

/** A parsed filter. `valueFilter` is the `[...]` of `emails[type eq "work"].value`. @internal */
export type FilterNode =
  | { kind: 'and'; left: FilterNode; right: FilterNode }
  | { kind: 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; filter: FilterNode }
  | {
      kind: 'compare';
      path: AttributePath;
      valueFilter: FilterNode | null;
      op: CompareOp;
      value: FilterValue;
    }
  | { kind: 'present'; path: AttributePath; valueFilter: FilterNode | null }
  | { kind: 'valuePath'; path: AttributePath; filter: FilterNode };

/** A PATCH `path`: `attribute[.sub]`, or `attribute[filter][.sub]`. @internal */
export interface PatchPath {
  path: AttributePath;
  valueFilter: FilterNode | null;
}

interface Token {
  kind: 'word' | 'string' | '(' | ')' | '[' | ']';
  text: string;
  at: number;
  end: number;
}

/** Longer filters are refused: what identity providers send is a few dozen characters. */
const MAX_FILTER_LENGTH = 1000;
const MAX_NESTING = 8;
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const ATTR_NAME = /^[A-Za-z$][\w$-]*$/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const PUNCTUATION = new Set(['(', ')', '[', ']']);

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly errorType: ScimErrorType,
    private readonly what: string,
  ) {
    if (source.length > MAX_FILTER_LENGTH) this.fail(`is longer than ${MAX_FILTER_LENGTH} characters`);
    this.tokens = this.tokenize();
  }

  fail(problem: string): never {
    throw ScimError.badRequest(this.errorType, `The ${this.what} ${JSON.stringify(this.source)} ${problem}.`);
  }

  private tokenize(): Token[] {
    const tokens: Token[] = [];
    const s = this.source;
    let i = 0;
    while (i < s.length) {
      const c = s[i]!;
      if (/\s/.test(c)) {
        i++;
      } else if (PUNCTUATION.has(c)) {
        tokens.push({ kind: c as Token['kind'], text: c, at: i, end: i + 1 });
        i++;
      } else if (c === '"') {
        let j = i + 1;
        while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
        if (j >= s.length) this.fail(`has a string that is never closed (from position ${i + 1})`);
        let text: string;
        try {
          text = JSON.parse(s.slice(i, j + 1)) as string;
        } catch {
          this.fail(`has a string with a bad escape at position ${i + 1}`);
        }
        tokens.push({ kind: 'string', text, at: i, end: j + 1 });
        i = j + 1;
      } else {
        let j = i;
        while (j < s.length && !/\s/.test(s[j]!) && !PUNCTUATION.has(s[j]!) && s[j] !== '"') j++;
        tokens.push({ kind: 'word', text: s.slice(i, j), at: i, end: j });
        i = j;
      }
    }
    return tokens;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  private next(expected: string): Token {
    const token = this.tokens[this.index++];
    if (!token) this.fail(`ends where ${expected} was expected`);
    return token;
  }

  private isWord(token: Token | undefined, word: string): boolean {
    return token?.kind === 'word' && token.text.toLowerCase() === word;
  }

  atEnd(): boolean {
    return this.index >= this.tokens.length;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token) this.fail(`has ${JSON.stringify(token.text)} at position ${token.at + 1} where it should end`);
  }

  /** `[urn:...:]attribute[.sub]` from one word. */
  attributePath(token: Token): AttributePath {
    let rest = token.text;
    let schema: string | null = null;
    if (rest.toLowerCase().startsWith('urn:')) {
      const colon = rest.lastIndexOf(':');
      schema = rest.slice(0, colon);
      rest = rest.slice(colon + 1);
    }
    const parts = rest.split('.');
    if (parts.length > 2 || !parts.every((p) => ATTR_NAME.test(p))) {
      this.fail(
        `has ${JSON.stringify(token.text)} at position ${token.at + 1} where an attribute name was expected`,
      );
    }
    return { schema, attribute: parts[0]!, subAttribute: parts[1] ?? null };
  }

  /** `attribute[.sub]`, or `attribute[filter][.sub]`: the start of an expression, or a whole PATCH path. */
  pathWithFilter(inBrackets: boolean): PatchPath {
    const token = this.next('an attribute name');
    if (token.kind !== 'word') {
      this.fail(
        `has ${JSON.stringify(token.text)} at position ${token.at + 1} where an attribute name was expected`,
      );
    }
    const path = this.attributePath(token);
    if (this.peek()?.kind !== '[') return { path, valueFilter: null };
    if (inBrackets) this.fail(`nests a [filter] inside another at position ${this.peek()!.at + 1}`);
    if (path.subAttribute !== null)
      this.fail(`puts [filter] after a sub-attribute at position ${token.at + 1}`);
    const open = this.next('[');
    const valueFilter = this.nested(() => this.or(true));
    const close = this.next(']');
    if (close.kind !== ']') this.fail(`has no "]" to close the "[" at position ${open.at + 1}`);
    const after = this.peek();
    if (after?.kind === 'word' && after.text.startsWith('.') && after.at === close.end) {
      this.index++;
      const sub = after.text.slice(1);
      if (!ATTR_NAME.test(sub)) this.fail(`has a bad sub-attribute ${JSON.stringify(after.text)}`);
      path.subAttribute = sub;
    }
    return { path, valueFilter };
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) this.fail(`nests deeper than ${MAX_NESTING} levels`);
    const result = parse();
    this.depth--;
    return result;
  }

  or(inBrackets: boolean): FilterNode {
    let left = this.and(inBrackets);
    while (this.isWord(this.peek(), 'or')) {
      this.index++;
      left = { kind: 'or', left, right: this.and(inBrackets) };
    }
    return left;
  }

  private and(inBrackets: boolean): FilterNode {
    let left = this.unary(inBrackets);
    while (this.isWord(this.peek(), 'and')) {
      this.index++;
      left = { kind: 'and', left, right: this.unary(inBrackets) };
    }
    return left;
  }

  private unary(inBrackets: boolean): FilterNode {
    const token = this.peek();
    if (this.isWord(token, 'not') && this.peek(1)?.kind === '(') {
      this.index++;
      return { kind: 'not', filter: this.group(inBrackets) };
    }
    if (token?.kind === '(') return this.group(inBrackets);
    return this.expression(inBrackets);
  }

  private group(inBrackets: boolean): FilterNode {
    const open = this.next('(');
    const inner = this.nested(() => this.or(inBrackets));
    if (this.next('")"').kind !== ')') this.fail(`has no ")" to close the "(" at position ${open.at + 1}`);
    return inner;
  }

  private expression(inBrackets: boolean): FilterNode {
    const { path, valueFilter } = this.pathWithFilter(inBrackets);
    const opToken = this.peek();
    if (
      valueFilter !== null &&
      path.subAttribute === null &&
      !(opToken?.kind === 'word' && this.isOperator(opToken))
    ) {
      return { kind: 'valuePath', path, filter: valueFilter };
    }
    const op = this.next('an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr)');
    const name = op.text.toLowerCase();
    if (op.kind === 'word' && name === 'pr') return { kind: 'present', path, valueFilter };
    if (op.kind !== 'word' || !COMPARE_OPS.has(name)) {
      this.fail(
        `has ${JSON.stringify(op.text)} at position ${op.at + 1} where an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) was expected`,
      );
    }
    return { kind: 'compare', path, valueFilter, op: name as CompareOp, value: this.literal(name) };
  }

  private isOperator(token: Token): boolean {
    const name = token.text.toLowerCase();
    return name === 'pr' || COMPARE_OPS.has(name);
  }

  private literal(op: string): FilterValue {
    const token = this.next(`a value after "${op}"`);
    if (token.kind === 'string') return token.text;
    const word = token.kind === 'word' ? token.text.toLowerCase() : '';
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (NUMBER.test(word)) return Number(word);
    return this.fail(
      `has ${JSON.stringify(token.text)} at position ${token.at + 1} where a value ("text" in double quotes, true, false, null or a number) was expected`,
    );
  }
}

/**
 * Parses a SCIM filter (RFC 7644, section 3.4.2.2): `and`, `or`, `not (...)`, parentheses, every comparison
 * operator, `pr`, `attribute[filter]` and `attribute[filter].sub`. Throws a 400 `invalidFilter` saying where it is
 * wrong.
 * @internal
 */
export function parseFilter(source: string): FilterNode {
  const parser = new Parser(source, 'invalidFilter', 'filter');
  if (parser.atEnd()) parser.fail('is empty');
  const node = parser.or(false);
  parser.expectEnd();
  return node;
}

/** Parses a PATCH operation's `path`; throws a 400 `invalidPath` saying where it is wrong. @internal */
export function parsePatchPath(source: string): PatchPath {
  const parser = new Parser(source, 'invalidPath', 'path');
  if (parser.atEnd()) parser.fail('is empty');
  const path = parser.pathWithFilter(false);
  parser.expectEnd();
  return path;
}
