// src/normalize.ts as it was before the linear-time work, copied unchanged but for the types (from the
// public API), so that bench/suggest.ts can run it beside the current one on the same records.
/**
 * Legal-form words dropped from the end of a company name (after accents, case, dots and punctuation are folded, so
 * `L.L.C.` is `llc` and `S.A.` is `sa`). Multi-word forms (`Pty Ltd`, `GmbH & Co. KG`) fall out word by word.
 * @public
 */
export const LEGAL_SUFFIXES: readonly string[] = [
  'inc',
  'incorporated',
  'llc',
  'llp',
  'lp',
  'pllc',
  'ltd',
  'limited',
  'gmbh',
  'ag',
  'kg',
  'sa',
  'sarl',
  'srl',
  'spa',
  'bv',
  'nv',
  'oy',
  'ab',
  'plc',
  'pty',
  'co',
  'corp',
  'corporation',
  'company',
];

const SUFFIXES = new Set(LEGAL_SUFFIXES);

// Letters that carry no combining mark, so NFKD leaves them whole.
const LETTERS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};
const SPECIAL_LETTERS = /[ßæœøđðłþı]/g;
const MARKS = /\p{M}+/gu;
const JOINERS = /['’‘`´.]/g;
const SEPARATORS = /[^\p{L}\p{N}]+/gu;

/**
 * Lower-case, accents and compatibility forms folded (`Chloé` -> `chloe`, `ﬁ` -> `fi`, `ß` -> `ss`), apostrophes and
 * dots dropped (`O'Brien` -> `obrien`, `S.A.` -> `sa`), every other run of non-letters and non-digits one space.
 * @internal
 */
export function foldUnicode(value: string, ampersand: boolean): string {
  let out = value.toLowerCase().normalize('NFKD').replace(MARKS, '').toLowerCase();
  out = out.replace(SPECIAL_LETTERS, (c) => LETTERS[c] ?? c);
  if (ampersand) out = out.replace(/&/g, ' and ');
  return out.replace(JOINERS, '').replace(SEPARATORS, ' ').trim();
}

/**
 * {@link foldUnicode} for ASCII text, one pass without regular expressions (most names and every email are ASCII,
 * and matching folds hundreds of thousands of them); `null` for anything else.
 */
function foldAscii(value: string, ampersand: boolean): string | null {
  let out = '';
  let space = false;
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c > 127) return null;
    if (c >= 65 && c <= 90) c += 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (space && out !== '') out += ' ';
      space = false;
      out += String.fromCharCode(c);
    } else if (c === 38 && ampersand) {
      out += out === '' ? 'and' : ' and';
      space = true;
    } else if (c !== 39 && c !== 46 && c !== 96) {
      space = true;
    }
  }
  return out;
}

/** Folds `value` (see {@link foldUnicode}), by the fast path when it is ASCII. @internal */
export const fold = (value: string, ampersand: boolean): string =>
  foldAscii(value, ampersand) ?? foldUnicode(value, ampersand);

/**
 * The key two company names are compared by: case, accents, spacing and punctuation folded, `&` read as `and`, and
 * legal forms ({@link LEGAL_SUFFIXES}) dropped when they are trailing words. A name is never reduced below one word
 * (`Company Inc.` becomes `company`).
 *
 * Note: suffixes only go at the end, so `Co-op Bank` keeps its `co`; `Smith & Co.` becomes `smith` (a trailing `and`
 * left by a dropped suffix goes too). Idempotent: normalising a key returns it unchanged.
 * @example
 * ```ts
 * normalizeCompanyName('Northwind Traders, Inc.'); // 'northwind traders'
 * normalizeCompanyName('NORTHWIND  TRADERS L.L.C.'); // 'northwind traders'
 * normalizeCompanyName('Café Crème GmbH & Co. KG'); // 'cafe creme'
 * ```
 * @public
 */
export function normalizeCompanyName(name: string): string {
  const words = fold(name, true).split(' ');
  let stripped = false;
  while (words.length > 1) {
    const last = words[words.length - 1]!;
    if (SUFFIXES.has(last) || (stripped && last === 'and')) {
      words.pop();
      stripped = true;
    } else break;
  }
  return words.join(' ');
}

/**
 * The key two person names are compared by: case, accents, spacing and punctuation folded (`Chloé  Martin` and
 * `chloe martin` are equal; `Jean-Luc` is `jean luc`; `O'Brien` is `obrien`). Word order is kept. Idempotent.
 * @example
 * ```ts
 * normalizePersonName('  Chloé   MARTIN '); // 'chloe martin'
 * ```
 * @public
 */
export function normalizePersonName(name: string): string {
  return fold(name, false);
}

/**
 * The key two emails are compared by: trimmed and lower-cased (`Chloe.Martin@Contoso.example` equals
 * `chloe.martin@contoso.example`). Nothing else is changed: dots and `+tags` are part of the address. Idempotent.
 * @public
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * The web domain in a URL or a bare domain: lower-case host without scheme, `www.`, user, port, path, query or
 * trailing dot (`https://www.Contoso.example:8443/about` -> `contoso.example`). International names come out in
 * their ASCII (punycode) form, so both spellings compare equal. Returns `null` when there is no domain in it (empty,
 * a single label such as `localhost`, an IP address, or not a host at all). Idempotent on what it returns.
 * @example
 * ```ts
 * normalizeDomain('https://www.northwind.example/contact'); // 'northwind.example'
 * normalizeDomain('NORTHWIND.example'); // 'northwind.example'
 * normalizeDomain('n/a'); // null
 * ```
 * @public
 */
export function normalizeDomain(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let host: string;
  try {
    host = new URL(withScheme).hostname.toLowerCase();
  } catch {
    return null;
  }
  host = host.replace(/\.$/, '');
  while (host.startsWith('www.')) host = host.slice(4);
  if (!HOST.test(host) || /^[\d.]+$/.test(host)) return null;
  return host;
}
