import { type AttributePath, type PatchPath, parsePatchPath } from './_filter.js';
import { equalityTerms, matchesElement } from './_filter-eval.js';
import { findKey, isObject, type JsonObject, jsonEqual, readBoolean } from './_json.js';
import { ScimError } from './scim-error.js';
import { SCIM_ENTERPRISE_USER_SCHEMA, SCIM_USER_SCHEMA, type ScimJsonValue } from './scim-user.js';

/** One operation of a PATCH request, read. @internal */
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string | null;
  value: ScimJsonValue | undefined;
}

/** The PatchOp message schema (RFC 7644, section 3.5.2). */
const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MAX_OPERATIONS = 100;
/** Multi-valued attributes of a User (RFC 7643, section 4.1.2), when the resource does not hold them yet. */
const MULTI_VALUED = new Set([
  'emails',
  'phonenumbers',
  'ims',
  'photos',
  'addresses',
  'entitlements',
  'roles',
  'x509certificates',
  'schemas',
]);
/** Set by QDesk; a PATCH may not change them. */
const READ_ONLY = new Set(['id', 'meta']);
/** Accepted and dropped: QDesk never keeps a password, and has no groups (a User's `groups` is read-only). */
const IGNORED = new Set(['password', 'groups']);

const bad = ScimError.badRequest;

/**
 * Reads a PATCH body: `Operations` (any case) with `op` `add`, `replace` or `remove` in any case (Microsoft Entra ID
 * sends `"Replace"`). Throws a 400 `invalidSyntax` or `invalidValue` naming the operation.
 * @internal
 */
export function readPatchOperations(body: ScimJsonValue): PatchOperation[] {
  if (!isObject(body))
    throw bad(
      'invalidSyntax',
      `The body must be a PatchOp message: { "schemas": ["${PATCH_OP_SCHEMA}"], "Operations": [...] }.`,
    );
  const key = findKey(body, 'Operations');
  const operations = key === undefined ? undefined : body[key];
  if (!Array.isArray(operations) || operations.length === 0) {
    throw bad(
      'invalidSyntax',
      'The PatchOp message needs an "Operations" array with at least one operation.',
    );
  }
  if (operations.length > MAX_OPERATIONS) {
    throw bad(
      'invalidValue',
      `The PatchOp message has ${operations.length} operations; send at most ${MAX_OPERATIONS}.`,
    );
  }
  return operations.map((operation, index) => {
    const where = `Operations[${index}]`;
    if (!isObject(operation))
      throw bad('invalidSyntax', `${where} must be an object with op, path and value.`);
    const pick = (name: string) => {
      const k = findKey(operation, name);
      return k === undefined ? undefined : operation[k];
    };
    const op = pick('op');
    const name = typeof op === 'string' ? op.toLowerCase() : '';
    if (name !== 'add' && name !== 'replace' && name !== 'remove') {
      throw bad('invalidSyntax', `${where}.op is ${JSON.stringify(op ?? null)}; use add, replace or remove.`);
    }
    const path = pick('path');
    if (path !== undefined && path !== null && typeof path !== 'string')
      throw bad('invalidPath', `${where}.path must be a string.`);
    const value = pick('value');
    if (name !== 'remove' && value === undefined)
      throw bad('invalidValue', `${where} (${name}) has no value.`);
    return { op: name, path: typeof path === 'string' && path.trim() !== '' ? path.trim() : null, value };
  });
}

interface Target {
  container: JsonObject;
  key: string;
  sub: string | null;
}

const isExtensionUrn = (resource: JsonObject, urn: string) => {
  const lower = urn.toLowerCase();
  const schemas = Array.isArray(resource.schemas) ? resource.schemas : [];
  return (
    lower === SCIM_ENTERPRISE_USER_SCHEMA.toLowerCase() ||
    schemas.some((s) => typeof s === 'string' && s.toLowerCase() === lower) ||
    Object.keys(resource).some((k) => k.toLowerCase() === lower)
  );
};

/** Where `path` points: the object that holds the attribute (the resource or an extension), its key, its sub-attribute. */
function resolve(resource: JsonObject, path: AttributePath, create: boolean): Target | null {
  if (path.schema === null || path.schema.toLowerCase() === SCIM_USER_SCHEMA.toLowerCase()) {
    const attribute = path.attribute.toLowerCase();
    if (READ_ONLY.has(attribute))
      throw bad('mutability', `${path.attribute} is set by QDesk and cannot be changed.`);
    if (IGNORED.has(attribute)) return null;
    return {
      container: resource,
      key: findKey(resource, path.attribute) ?? path.attribute,
      sub: path.subAttribute,
    };
  }
  const whole = `${path.schema}:${path.attribute}`;
  // `urn:...:enterprise:2.0:User` names the extension itself; `urn:...:enterprise:2.0:User:department` an attribute in it.
  if (path.subAttribute === null && isExtensionUrn(resource, whole)) {
    return { container: resource, key: findKey(resource, whole) ?? whole, sub: null };
  }
  const extensionKey = findKey(resource, path.schema) ?? path.schema;
  let extension = resource[extensionKey];
  if (!isObject(extension)) {
    if (!create) return null;
    extension = {};
    resource[extensionKey] = extension;
    const schemas = Array.isArray(resource.schemas) ? resource.schemas : [];
    if (!schemas.some((s) => typeof s === 'string' && s.toLowerCase() === path.schema!.toLowerCase())) {
      resource.schemas = [...schemas, path.schema];
    }
  }
  return {
    container: extension,
    key: findKey(extension, path.attribute) ?? path.attribute,
    sub: path.subAttribute,
  };
}

function setField(object: JsonObject, name: string, value: ScimJsonValue): void {
  const key = findKey(object, name) ?? name;
  if (value === null) delete object[key];
  else object[key] = value;
}

function merge(target: JsonObject, value: JsonObject): void {
  for (const [name, field] of Object.entries(value)) setField(target, name, field);
}

/** Keeps one primary value: the ones just written win over those already there. */
function keepOnePrimary(list: ScimJsonValue[], written: ScimJsonValue[]): void {
  const isPrimary = (item: ScimJsonValue) =>
    isObject(item) && readBoolean(item[findKey(item, 'primary') ?? 'primary']) === true;
  if (!written.some(isPrimary)) return;
  for (const item of list) {
    if (!written.includes(item) && isObject(item)) delete item[findKey(item, 'primary') ?? 'primary'];
  }
}

function applyFiltered(target: Target, operation: PatchOperation, filterPath: PatchPath): void {
  const { container, key, sub } = target;
  const current = container[key];
  if (current !== undefined && current !== null && !Array.isArray(current)) {
    throw bad('invalidPath', `${key} is not multi-valued, so "${operation.path}" cannot filter its values.`);
  }
  const list: ScimJsonValue[] = Array.isArray(current) ? current : [];
  const filter = filterPath.valueFilter!;
  let matched = list.filter((item) => matchesElement(item, filter));
  if (operation.op === 'remove') {
    const kept = sub === null ? list.filter((item) => !matched.includes(item)) : list;
    if (sub !== null) for (const item of matched) if (isObject(item)) delete item[findKey(item, sub) ?? sub];
    if (kept.length === 0) delete container[key];
    else container[key] = kept;
    return;
  }
  if (matched.length === 0) {
    // Entra ID adds `emails[type eq "work"].value` (with add or replace) to a user who has no work email yet.
    const terms = equalityTerms(filter);
    if (terms === null) {
      throw bad(
        'noTarget',
        `No value of ${key} matches "${operation.path}", and its filter does not say what a new one would hold.`,
      );
    }
    const created: JsonObject = { ...terms };
    list.push(created);
    matched = [created];
  }
  for (const item of matched) {
    if (!isObject(item))
      throw bad(
        'invalidPath',
        `The values of ${key} are not objects, so "${operation.path}" cannot reach into them.`,
      );
    if (sub !== null) setField(item, sub, operation.value ?? null);
    else if (isObject(operation.value)) merge(item, operation.value);
    else
      throw bad(
        'invalidValue',
        `"${operation.path}" names whole values of ${key}; send an object as the value.`,
      );
  }
  container[key] = list;
  keepOnePrimary(list, matched);
}

function applyToSub(target: Target, operation: PatchOperation): void {
  const { container, key } = target;
  const sub = target.sub!;
  const current = container[key];
  if (Array.isArray(current)) {
    // `emails.value` without a filter reaches every email.
    for (const item of current) {
      if (!isObject(item)) continue;
      if (operation.op === 'remove') delete item[findKey(item, sub) ?? sub];
      else setField(item, sub, operation.value ?? null);
    }
    if (current.length === 0 && operation.op !== 'remove')
      container[key] = [{ [sub]: operation.value ?? null }];
    return;
  }
  if (current !== undefined && current !== null && !isObject(current)) {
    throw bad('invalidPath', `${key} has no sub-attributes, so "${operation.path}" names nothing.`);
  }
  if (operation.op === 'remove') {
    if (isObject(current)) {
      delete current[findKey(current, sub) ?? sub];
      if (Object.keys(current).length === 0) delete container[key];
    }
    return;
  }
  const object = isObject(current) ? current : {};
  setField(object, sub, operation.value ?? null);
  container[key] = object;
}

function applyToAttribute(target: Target, operation: PatchOperation): void {
  const { container, key } = target;
  const current = container[key];
  const value = operation.value;
  if (operation.op === 'remove' || value === null) {
    if (operation.op === 'remove' && value !== undefined && value !== null && Array.isArray(current)) {
      const drop = Array.isArray(value) ? value : [value];
      const kept = current.filter(
        (item) =>
          !drop.some(
            (d) => jsonEqual(d, item) || (isObject(d) && isObject(item) && jsonEqual(d.value, item.value)),
          ),
      );
      container[key] = kept;
    } else {
      delete container[key];
    }
    return;
  }
  if (value === undefined) return;
  if (Array.isArray(current) || Array.isArray(value) || MULTI_VALUED.has(key.toLowerCase())) {
    const incoming = Array.isArray(value) ? value : [value];
    const list = operation.op === 'add' && Array.isArray(current) ? [...current] : [];
    for (const item of incoming) if (!list.some((existing) => jsonEqual(existing, item))) list.push(item);
    container[key] = list;
    keepOnePrimary(list, incoming);
  } else if (isObject(current) && isObject(value)) {
    // A complex attribute (name, an extension): the sub-attributes sent replace theirs, the others stay (section 3.5.2).
    merge(current, value);
  } else {
    container[key] = value;
  }
}

function applyOne(resource: JsonObject, operation: PatchOperation, where: string): void {
  // The core schema's URN as a path names the resource itself, like no path at all.
  const isCore = operation.path?.toLowerCase() === SCIM_USER_SCHEMA.toLowerCase();
  if (operation.path === null || (isCore && operation.op !== 'remove')) {
    if (operation.op === 'remove')
      throw bad('noTarget', `${where} removes without a path; say what to remove.`);
    if (!isObject(operation.value)) {
      throw bad(
        'invalidValue',
        `${where} has no path, so its value must be an object of attributes such as { "active": false }.`,
      );
    }
    // Okta sends { "active": false }; Entra ID may send paths as keys: { "name.givenName": "x", "emails[type eq \"work\"].value": "y" }.
    for (const [name, value] of Object.entries(operation.value)) {
      applyOne(resource, { op: operation.op, path: name, value }, where);
    }
    return;
  }
  const parsed = parsePatchPath(operation.path);
  const target = resolve(resource, parsed.path, operation.op !== 'remove');
  if (target === null) return;
  if (parsed.valueFilter !== null) applyFiltered(target, operation, parsed);
  else if (target.sub !== null) applyToSub(target, operation);
  else applyToAttribute(target, operation);
}

/**
 * Applies PATCH operations, in order, to a copy of a User's attributes (RFC 7644, section 3.5.2): all of them or,
 * on the first that fails, none. The caller validates the result as a whole User.
 * @internal
 */
export function applyPatch(resource: JsonObject, operations: PatchOperation[]): JsonObject {
  const working = structuredClone(resource);
  operations.forEach((operation, index) => {
    applyOne(working, operation, `Operations[${index}]`);
  });
  return working;
}
