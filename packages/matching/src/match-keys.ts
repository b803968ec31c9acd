import type { EndUser } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import { createPersonKeys } from './_person-keys.js';
import { normalizeEmail, normalizePersonName } from './normalize.js';
import type { MatchEndUser } from './types.js';

/**
 * What a mapping store indexes a PSA contact by: the keys suggestions look contacts up with, the listing's order and
 * what a search looks in. A store computes them with {@link contactKeys} when it writes the contact.
 * @public
 */
export interface ContactKeys {
  /** The contact's emails after {@link normalizeEmail}, without blanks or repeats, in the contact's order. */
  emails: string[];
  /** First + last name after {@link normalizePersonName}, or `''` unless both are present. */
  name: string;
  /**
   * Where the contact stands in the listing: folded last name, first name, then the id (numeric ids by value). Unique
   * within a tenant; compare two with {@link compareOrderKeys} (code point order, as PostgreSQL's `COLLATE "C"`).
   */
  order: string;
  /** The text a search looks in (folded names both ways round, and the emails); see {@link matchSearch}. */
  search: string;
}

/** What a mapping store indexes a PSA company by (see {@link ContactKeys}). @public */
export interface CompanyKeys {
  /** Folded name, then the id: the listing's order, unique within a tenant. */
  order: string;
  /** The text a search looks in: the folded name. */
  search: string;
}

/** What a mapping store indexes an end-user by, for the suggestions' lookups. @public */
export interface EndUserKeys {
  /** The email after {@link normalizeEmail} (`''` when blank). */
  email: string;
  /** The display name read as "first last" ("Last, First" turned around) after {@link normalizePersonName}. */
  name: string;
}

/**
 * A search as a store runs it: a record matches when its search text ({@link ContactKeys.search},
 * {@link CompanyKeys.search}) contains one of `needles`, or its id equals `id`. Build it with {@link matchSearch}.
 * @public
 */
export interface MatchSearch {
  /** Folded forms of the text typed (as a name, and as an email); never empty strings. */
  needles: string[];
  /** The text typed, trimmed: a record whose id equals it matches too. */
  id: string;
}

// A separator below every printable character, so "smith" sorts before "smith jr" whatever follows; PostgreSQL text
// cannot hold NUL.
const SEP = '\u0001';
const DIGITS = /^\d+$/;

/**
 * The id's part of an order key: numeric ids by value (`9` before `10`), before any other id, then by code unit;
 * the id itself ends it, so two ids never share a key.
 */
function idOrderKey(id: string): string {
  if (!DIGITS.test(id)) return `1${id}`;
  const value = id.replace(/^0+(?=\d)/, '');
  return `0${String(value.length).padStart(3, '0')}${value}${SEP}${id}`;
}

/**
 * The keys of a PSA contact (see {@link ContactKeys}).
 * @example
 * ```ts
 * contactKeys({ id: '7', firstName: 'Chloé', lastName: 'Martin', emails: ['C.Martin@Contoso.example'], ... });
 * // { emails: ['c.martin@contoso.example'], name: 'chloe martin', order: 'martin\u0001chloe\u0001...', search: ... }
 * ```
 * @public
 */
export function contactKeys(
  contact: Pick<PsaContact, 'id' | 'firstName' | 'lastName' | 'emails'>,
): ContactKeys {
  const first = normalizePersonName(contact.firstName);
  const last = normalizePersonName(contact.lastName);
  const emails: string[] = [];
  for (const email of contact.emails) {
    const key = normalizeEmail(email);
    if (key !== '' && !emails.includes(key)) emails.push(key);
  }
  return {
    emails,
    name: first === '' || last === '' ? '' : `${first} ${last}`,
    order: `${last}${SEP}${first}${SEP}${idOrderKey(contact.id)}`,
    search: [`${first} ${last}`.trim(), `${last} ${first}`.trim(), ...emails].join('\n'),
  };
}

/** The keys of a PSA company (see {@link CompanyKeys}). @public */
export function companyKeys(company: Pick<PsaCompany, 'id' | 'name'>): CompanyKeys {
  const name = normalizePersonName(company.name);
  return { order: `${name}${SEP}${idOrderKey(company.id)}`, search: name };
}

/** The keys of an end-user (see {@link EndUserKeys}). @public */
export function endUserKeys(user: Pick<MatchEndUser, 'email' | 'displayName'>): EndUserKeys {
  return { email: normalizeEmail(user.email), name: createPersonKeys().endUser(user.displayName) };
}

/**
 * What a typed search looks for, or `null` when nothing was typed. Case and accents do not matter; an email is
 * found by any part of it.
 * @example
 * ```ts
 * matchSearch('  Chloé '); // { needles: ['chloe'], id: 'Chloé' }
 * ```
 * @public
 */
export function matchSearch(text: string | undefined): MatchSearch | null {
  const id = text?.trim() ?? '';
  if (id === '') return null;
  const needles: string[] = [];
  for (const needle of [normalizePersonName(id), normalizeEmail(id)]) {
    if (needle !== '' && !needle.includes('\n') && !needles.includes(needle)) needles.push(needle);
  }
  return { needles, id };
}

/** True when a record with this search text and id matches `search` (the memory store's rule; SQL stores mirror it). @public */
export function searchMatches(search: MatchSearch, text: string, id: string): boolean {
  return id === search.id || search.needles.some((needle) => text.includes(needle));
}

/**
 * Orders two order keys by code point, as PostgreSQL's `COLLATE "C"` orders their UTF-8 bytes (JavaScript's `<`
 * compares UTF-16 code units, which differs above U+FFFF).
 * @public
 */
export function compareOrderKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * An end-user as a mapping store keeps them for matching: what suggestions compare, nothing else (no phone, no
 * devices).
 * @example
 * ```ts
 * await store.saveEndUsers(tenantId, { put: (await directory.list(tenantId)).map(matchEndUser), replaceAll: true });
 * ```
 * @public
 */
export function matchEndUser(
  user: Pick<EndUser, 'id' | 'email' | 'displayName' | 'customerId'>,
): MatchEndUser {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    customerId: user.customerId ?? null,
  };
}
