import type { SourcePhone, SourceRecord } from '../types.js';

/**
 * The attribute names an LDAP source (`createLdapSource`) reads. The defaults are Active Directory's; an OpenLDAP directory
 * typically uses `id: 'entryUUID'` and `whenChanged: 'modifyTimestamp'`.
 * @public
 */
export interface LdapAttributeNames {
  /** Stable id of the person (default `objectGUID`; `entryUUID` on OpenLDAP). See `idFormat`. */
  id: string;
  /** Primary email (default `mail`). */
  mail: string;
  /** Mobile number, reported as a `mobile` phone (default `mobile`). */
  mobile: string;
  /** Office number, reported as a `business` phone (default `telephoneNumber`). */
  telephoneNumber: string;
  /** Name to show (default `displayName`; `cn` is read as a fallback). */
  displayName: string;
  /** Account flags; bit 0x2 (ACCOUNTDISABLE) marks a disabled account (default `userAccountControl`). */
  userAccountControl: string;
  /** Generalized time of the last change: what incremental reads filter on (default `whenChanged`). */
  whenChanged: string;
}

/** Active Directory's attribute names. @public */
export const AD_ATTRIBUTE_NAMES: Readonly<LdapAttributeNames> = Object.freeze({
  id: 'objectGUID',
  mail: 'mail',
  mobile: 'mobile',
  telephoneNumber: 'telephoneNumber',
  displayName: 'displayName',
  userAccountControl: 'userAccountControl',
  whenChanged: 'whenChanged',
});

/** `userAccountControl` bit ACCOUNTDISABLE. */
const ACCOUNT_DISABLE = 0x2;

/** One search entry as ldapts returns it: attribute values are strings, or Buffers for binary values. */
export type LdapEntry = { dn: string } & Record<string, string | string[] | Buffer | Buffer[]>;

/** Why an entry was not turned into a record. */
export type EntryProblem = { problem: string };

/**
 * An Active Directory `objectGUID` (16 bytes) as the GUID string AD shows (`{...}` without braces, lower case). The
 * first three groups are stored little-endian, so bytes `00 01 02 ... 0f` read `03020100-0504-0706-0809-0a0b0c0d0e0f`.
 * Returns `null` when the value is not 16 bytes.
 */
export function formatObjectGuid(bytes: Uint8Array): string | null {
  if (bytes.length !== 16) return null;
  const hex = (indexes: number[]) => indexes.map((i) => bytes[i]!.toString(16).padStart(2, '0')).join('');
  return [hex([3, 2, 1, 0]), hex([5, 4]), hex([7, 6]), hex([8, 9]), hex([10, 11, 12, 13, 14, 15])].join('-');
}

const GENERALIZED_TIME =
  /^(\d{4})(\d{2})(\d{2})(\d{2})(?:(\d{2})(\d{2})?)?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)$/;

/**
 * Parses an LDAP generalized time (RFC 4517: `20261130120000.0Z` as Active Directory writes it, `20261130120000Z`,
 * `202611301200+0100`...) to epoch ms; `null` when the value is not one.
 */
export function parseGeneralizedTime(value: string): number | null {
  const match = GENERALIZED_TIME.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute = '00', second = '00', fraction, zone] = match;
  const base = Date.UTC(+year!, +month! - 1, +day!, +hour!, +minute, +second);
  const check = new Date(base);
  // Date.UTC rolls 2026-02-30 over to March: a value that does not read back is not a date.
  if (check.getUTCMonth() !== +month! - 1 || check.getUTCDate() !== +day! || +hour! > 23 || +minute > 59) {
    return null;
  }
  // The fraction is of the last unit given: of the hour in "2026113012.5Z", of the second in "...120000.5Z".
  const unitMs = match[6] !== undefined ? 1000 : match[5] !== undefined ? 60_000 : 3_600_000;
  const fractionMs = fraction ? Math.round(Number(`0.${fraction}`) * unitMs) : 0;
  let offsetMs = 0;
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    offsetMs = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(3, 5) || '0')) * 60_000;
  }
  return base + fractionMs - offsetMs;
}

/**
 * Epoch ms as the generalized time Active Directory writes (`20261130120000.0Z`), rounded down to the second:
 * what an incremental read's `(whenChanged>=...)` filter compares with.
 */
export function formatGeneralizedTime(epochMs: number): string {
  const iso = new Date(Math.floor(epochMs / 1000) * 1000).toISOString(); // 2026-11-30T12:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}.0Z`;
}

/** An entry's attributes by lower-case name (servers answer in the schema's spelling, not always the one asked). */
type Attributes = ReadonlyMap<string, ReadonlyArray<string | Buffer>>;

function byLowerCaseName(entry: LdapEntry): Attributes {
  const attributes = new Map<string, ReadonlyArray<string | Buffer>>();
  for (const [key, value] of Object.entries(entry)) {
    if (key !== 'dn')
      attributes.set(key.toLowerCase(), (Array.isArray(value) ? value : [value]) as Array<string | Buffer>);
  }
  return attributes;
}

const values = (attributes: Attributes, name: string) => attributes.get(name.toLowerCase()) ?? [];

const text = (value: string | Buffer) => (typeof value === 'string' ? value : value.toString('utf8')).trim();

function firstText(attributes: Attributes, name: string): string | null {
  for (const value of values(attributes, name)) {
    const t = text(value);
    if (t) return t;
  }
  return null;
}

/** The person's stable id, or why there is none. */
function readId(attributes: Attributes, name: string, format: 'guid' | 'text'): string | EntryProblem {
  const [value] = values(attributes, name);
  if (value === undefined) return { problem: `it has no ${name}` };
  if (format === 'text') return text(value) || { problem: `its ${name} is empty` };
  // A GUID whose bytes happen to be valid UTF-8 arrives as a string when the server spells the attribute in another
  // case than was asked for; its UTF-8 bytes are the GUID's bytes.
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return formatObjectGuid(bytes) ?? { problem: `its ${name} is not a 16-byte GUID (idFormat 'guid')` };
}

/** The attributes a search asks for. */
export function requestedAttributes(names: LdapAttributeNames): string[] {
  return [...new Set([...Object.values(names), 'cn'])];
}

/**
 * One search entry as a {@link SourceRecord}: `mail` the email, `mobile` a `mobile` phone and `telephoneNumber` a
 * `business` phone (every value, as the directory holds them), `userAccountControl` bit 0x2 an inactive account,
 * `whenChanged` the change time. Returns a problem instead when the entry has no usable id.
 */
export function entryToRecord(
  entry: LdapEntry,
  names: LdapAttributeNames,
  idFormat: 'guid' | 'text',
): SourceRecord | EntryProblem {
  const attributes = byLowerCaseName(entry);
  const externalId = readId(attributes, names.id, idFormat);
  if (typeof externalId !== 'string') return externalId;
  const phones: SourcePhone[] = [];
  for (const [attribute, kind] of [
    [names.mobile, 'mobile'],
    [names.telephoneNumber, 'business'],
  ] as const) {
    for (const value of values(attributes, attribute)) {
      const number = text(value);
      if (number) phones.push({ number, kind, source: 'directory' });
    }
  }
  const flags = Number.parseInt(firstText(attributes, names.userAccountControl) ?? '', 10);
  const changed = firstText(attributes, names.whenChanged);
  const email = firstText(attributes, names.mail);
  return {
    externalId,
    email,
    otherEmails: [],
    displayName:
      firstText(attributes, names.displayName) ?? firstText(attributes, 'cn') ?? email ?? externalId,
    phones,
    active: Number.isNaN(flags) || (flags & ACCOUNT_DISABLE) === 0,
    changedAt: changed === null ? null : parseGeneralizedTime(changed),
  };
}
