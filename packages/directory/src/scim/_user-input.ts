import { findKey, isObject, type JsonObject, readBoolean } from './_json.js';
import { ScimError } from './scim-error.js';
import {
  SCIM_USER_SCHEMA,
  type ScimContactValue,
  type ScimJsonValue,
  type ScimName,
  type ScimUserData,
} from './scim-user.js';

/** Bounds on what one user may hold, so a single resource stays small whatever a provider sends. */
const LIMITS = { text: 256, email: 320, phone: 64, type: 32, values: 20 } as const;
const NAME_PARTS = [
  'formatted',
  'familyName',
  'givenName',
  'middleName',
  'honorificPrefix',
  'honorificSuffix',
] as const;
/** Attributes QDesk reads; every other top-level attribute is kept as sent in `extra`. */
const TYPED = [
  'schemas',
  'userName',
  'externalId',
  'active',
  'displayName',
  'name',
  'emails',
  'phoneNumbers',
];
/**
 * Attributes never stored: `id` and `meta` are QDesk's own, `password` is write-only and QDesk never keeps one,
 * `groups` is read-only on a User (RFC 7643, section 4.1.2) and QDesk has no groups.
 */
const DROPPED = ['id', 'meta', 'password', 'groups'];
/** Control characters (C0 and DEL), refused in the text QDesk shows and passes on. */
const hasControl = (value: string) =>
  [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** How {@link normalizeUser} fills what the body leaves out. @internal */
export interface NormalizeOptions {
  /** `active` when the body has none: `true` on creation, the current value on a replace. */
  activeDefault: boolean;
}

const invalid = (message: string) => ScimError.badRequest('invalidValue', message);

function text(value: ScimJsonValue | undefined, field: string, max: number = LIMITS.text): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${field} must be a string, not ${typeof value}.`);
  const trimmed = value.trim();
  if (trimmed.length > max) throw invalid(`${field} is longer than ${max} characters.`);
  if (hasControl(trimmed)) throw invalid(`${field} contains control characters; send printable text.`);
  return trimmed === '' ? null : trimmed;
}

function readName(value: ScimJsonValue | undefined): ScimName | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw invalid('name must be an object with givenName, familyName, formatted...');
  const name: ScimName = {};
  for (const part of NAME_PARTS) {
    const key = findKey(value, part);
    const read = key === undefined ? null : text(value[key], `name.${part}`);
    if (read !== null) name[part] = read;
  }
  return Object.keys(name).length === 0 ? null : name;
}

function readValues(
  value: ScimJsonValue | undefined,
  field: 'emails' | 'phoneNumbers',
  check: (value: string, where: string) => void,
): ScimContactValue[] {
  if (value === undefined || value === null) return [];
  // A single object where an array belongs is read as a list of one: harmless, and some clients send it.
  const items = Array.isArray(value) ? value : [value];
  if (items.length > LIMITS.values)
    throw invalid(`${field} has ${items.length} values; at most ${LIMITS.values} are kept.`);
  const out: ScimContactValue[] = [];
  items.forEach((item, index) => {
    const where = `${field}[${index}]`;
    if (!isObject(item)) throw invalid(`${where} must be an object with value, type and primary.`);
    const valueKey = findKey(item, 'value');
    const typeKey = findKey(item, 'type');
    const primaryKey = findKey(item, 'primary');
    const max = field === 'emails' ? LIMITS.email : LIMITS.phone;
    const read = valueKey === undefined ? null : text(item[valueKey], `${where}.value`, max);
    const type = typeKey === undefined ? null : text(item[typeKey], `${where}.type`, LIMITS.type);
    const rawPrimary = primaryKey === undefined ? undefined : item[primaryKey];
    const primary = rawPrimary === undefined || rawPrimary === null ? false : readBoolean(rawPrimary);
    if (primary === undefined) throw invalid(`${where}.primary must be true or false.`);
    // An entry without a value (what removing `emails[type eq "work"].value` leaves) holds nothing: drop it.
    if (read === null) return;
    check(read, `${where}.value`);
    const entry = { value: read, type: type?.toLowerCase() ?? null, primary };
    const same = out.find((e) => e.value.toLowerCase() === read.toLowerCase() && e.type === entry.type);
    if (same) same.primary ||= primary;
    else out.push(entry);
  });
  if (out.filter((e) => e.primary).length > 1) {
    throw invalid(`More than one of ${field} is primary; mark at most one primary.`);
  }
  return out;
}

const checkEmail = (value: string, where: string) => {
  if (!EMAIL.test(value)) throw invalid(`${where} "${value}" is not an email address.`);
};
const checkPhone = (value: string, where: string) => {
  if (!/\d/.test(value)) throw invalid(`${where} "${value}" has no digits; send a phone number.`);
};

function readSchemas(value: ScimJsonValue | undefined): string[] {
  if (value === undefined || value === null) return [SCIM_USER_SCHEMA];
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) {
    throw invalid(`schemas must be an array of schema URNs, such as ["${SCIM_USER_SCHEMA}"].`);
  }
  const schemas = new Map<string, string>([[SCIM_USER_SCHEMA.toLowerCase(), SCIM_USER_SCHEMA]]);
  for (const schema of value as string[]) {
    const read = text(schema, 'schemas[]');
    if (read !== null && !schemas.has(read.toLowerCase())) schemas.set(read.toLowerCase(), read);
  }
  return [...schemas.values()];
}

/**
 * Reads a SCIM User body (a POST or PUT, or a user after a PATCH) into {@link ScimUserData}: attribute names
 * without regard to case, `"True"`/`"False"` strings as booleans, blanks as absent, `id`, `meta`, `password` and
 * `groups` dropped. Throws a 400 `invalidValue` (or `invalidSyntax`) whose message names the field.
 * @internal
 */
export function normalizeUser(body: ScimJsonValue, options: NormalizeOptions): ScimUserData {
  if (!isObject(body)) throw ScimError.badRequest('invalidSyntax', 'The body must be a SCIM User object.');
  const pick = (name: string) => {
    const key = findKey(body, name);
    return key === undefined ? undefined : body[key];
  };
  const userName = text(pick('userName'), 'userName');
  if (userName === null) throw invalid('userName is required: send the name the user signs in with.');
  const rawActive = pick('active');
  const active =
    rawActive === undefined || rawActive === null ? options.activeDefault : readBoolean(rawActive);
  if (active === undefined) throw invalid('active must be true or false.');

  const known = new Set([...TYPED, ...DROPPED].map((k) => k.toLowerCase()));
  const extra: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (!known.has(key.toLowerCase()) && value !== null) extra[key] = value;
  }
  return {
    schemas: readSchemas(pick('schemas')),
    userName,
    externalId: text(pick('externalId'), 'externalId'),
    active,
    displayName: text(pick('displayName'), 'displayName'),
    name: readName(pick('name')),
    emails: readValues(pick('emails'), 'emails', checkEmail),
    phoneNumbers: readValues(pick('phoneNumbers'), 'phoneNumbers', checkPhone),
    extra,
  };
}

const valuesToJson = (values: ScimContactValue[]): ScimJsonValue[] =>
  values.map((v) => ({
    value: v.value,
    ...(v.type === null ? {} : { type: v.type }),
    ...(v.primary ? { primary: true } : {}),
  }));

/**
 * A user's data as a SCIM User's attributes (no `id`, no `meta`): what a PATCH applies to and what reads return.
 * @internal
 */
export function userToJson(user: ScimUserData): JsonObject {
  const json: JsonObject = { schemas: [...user.schemas], userName: user.userName };
  if (user.externalId !== null) json.externalId = user.externalId;
  json.active = user.active;
  if (user.displayName !== null) json.displayName = user.displayName;
  if (user.name !== null) json.name = { ...user.name };
  json.emails = valuesToJson(user.emails);
  json.phoneNumbers = valuesToJson(user.phoneNumbers);
  for (const [key, value] of Object.entries(user.extra)) json[key] = structuredClone(value);
  return json;
}
