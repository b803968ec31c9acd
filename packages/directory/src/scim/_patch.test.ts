import { describe, expect, it } from 'vitest';
import type { JsonObject } from './_json.js';
import { applyPatch, type PatchOperation, readPatchOperations } from './_patch.js';
import { isScimError } from './scim-error.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const base = (): JsonObject => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'pat@example.com',
  active: true,
  name: { givenName: 'Pat', familyName: 'Lee' },
  emails: [
    { value: 'pat@example.com', type: 'work', primary: true },
    { value: 'pat@home.example', type: 'home' },
  ],
  phoneNumbers: [{ value: '+1 425 555 0100', type: 'mobile' }],
});
const op = (
  o: PatchOperation['op'],
  path: string | null,
  value?: PatchOperation['value'],
): PatchOperation => ({
  op: o,
  path,
  value,
});

describe('SCIM PATCH operations', () => {
  it('reads Operations, op, path and value in any case, and trims a blank path to none', () => {
    expect(
      readPatchOperations({
        operations: [
          { OP: 'Replace', Path: 'active', Value: 'False' },
          { op: 'ADD', path: '  ', value: { title: 'x' } },
        ],
      }),
    ).toEqual([op('replace', 'active', 'False'), op('add', null, { title: 'x' })]);
  });

  it('changes a copy, never the resource it was given', () => {
    const resource = base();
    const patched = applyPatch(resource, [op('replace', 'name.givenName', 'Sam'), op('remove', 'emails')]);
    expect(patched).toMatchObject({ name: { givenName: 'Sam' } });
    expect(patched).not.toHaveProperty('emails');
    expect(resource).toEqual(base());
  });

  it('adds to multi-valued attributes, skipping values already there, and keeps one primary', () => {
    const patched = applyPatch(base(), [
      op('add', 'emails', { value: 'pat@home.example', type: 'home' }),
      op('add', 'emails', [{ value: 'pat.new@example.com', type: 'work', primary: 'True' }]),
    ]);
    expect(patched.emails).toEqual([
      { value: 'pat@example.com', type: 'work' },
      { value: 'pat@home.example', type: 'home' },
      { value: 'pat.new@example.com', type: 'work', primary: 'True' },
    ]);
  });

  it('replaces a whole multi-valued attribute, and merges sub-attributes into a complex one', () => {
    const patched = applyPatch(base(), [
      op('replace', 'phoneNumbers', [{ value: '+1 425 555 0199', type: 'work' }]),
      op('replace', 'name', { familyName: 'Kim', middleName: null }),
    ]);
    expect(patched.phoneNumbers).toEqual([{ value: '+1 425 555 0199', type: 'work' }]);
    expect(patched.name).toEqual({ givenName: 'Pat', familyName: 'Kim' });
  });

  it('creates the value a filter with eq describes when none matches, for add and replace', () => {
    const patched = applyPatch(base(), [
      op('add', 'phoneNumbers[type eq "work"].value', '+1 425 555 0101'),
      op('replace', 'addresses[type eq "work"].locality', 'Redmond'),
      op('replace', 'phoneNumbers[type eq "mobile"].value', '+1 425 555 0102'),
    ]);
    expect(patched.phoneNumbers).toEqual([
      { value: '+1 425 555 0102', type: 'mobile' },
      { type: 'work', value: '+1 425 555 0101' },
    ]);
    expect(patched.addresses).toEqual([{ type: 'work', locality: 'Redmond' }]);
  });

  it('removes filtered values, sub-attributes of them, or the values listed', () => {
    expect(applyPatch(base(), [op('remove', 'emails[type eq "home"]')]).emails).toEqual([
      { value: 'pat@example.com', type: 'work', primary: true },
    ]);
    expect(applyPatch(base(), [op('remove', 'emails[type eq "home"].value')]).emails).toEqual([
      { value: 'pat@example.com', type: 'work', primary: true },
      { type: 'home' },
    ]);
    expect(applyPatch(base(), [op('remove', 'emails', [{ value: 'pat@example.com' }])]).emails).toEqual([
      { value: 'pat@home.example', type: 'home' },
    ]);
    expect(applyPatch(base(), [op('remove', 'phoneNumbers[type eq "mobile"]')])).not.toHaveProperty(
      'phoneNumbers',
    );
    expect(
      applyPatch(base(), [op('remove', 'name.givenName'), op('remove', 'name.familyName')]),
    ).not.toHaveProperty('name');
  });

  it('reaches extension attributes by URN, creating the extension and declaring its schema', () => {
    const patched = applyPatch(base(), [
      op('add', `${ENTERPRISE}:department`, 'Help Desk'),
      op('add', `${ENTERPRISE}:manager`, { value: 'm-1' }),
      op('add', ENTERPRISE, { employeeNumber: '42' }),
    ]);
    expect(patched[ENTERPRISE]).toEqual({
      department: 'Help Desk',
      manager: { value: 'm-1' },
      employeeNumber: '42',
    });
    expect(patched.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE]);
    const removed = applyPatch(patched, [op('remove', `${ENTERPRISE}:department`)]);
    expect(removed[ENTERPRISE]).toEqual({ manager: { value: 'm-1' }, employeeNumber: '42' });
  });

  it('reads attribute names in any case, and no-path values whose keys are attributes or paths', () => {
    const patched = applyPatch(base(), [
      op('replace', null, {
        ACTIVE: 'False',
        'Name.GivenName': 'Sam',
        'emails[type eq "home"].value': 'sam@home.example',
      }),
    ]);
    expect(patched).toMatchObject({
      active: 'False',
      name: { givenName: 'Sam', familyName: 'Lee' },
      emails: [{ value: 'pat@example.com' }, { value: 'sam@home.example', type: 'home' }],
    });
  });

  it('reads the core schema’s URN, as a key or a path, as the resource itself', () => {
    const core = 'urn:ietf:params:scim:schemas:core:2.0:User';
    const patched = applyPatch(base(), [
      op('replace', null, { [core]: { displayName: 'Pat Lee' } }),
      op('add', core, { title: 'Analyst' }),
      op('replace', `${core}:name.familyName`, 'Kim'),
    ]);
    expect(patched).toMatchObject({ displayName: 'Pat Lee', title: 'Analyst', name: { familyName: 'Kim' } });
    expect(patched).not.toHaveProperty(core);
  });

  it('ignores password and groups, and refuses id and meta with mutability', () => {
    const patched = applyPatch(base(), [
      op('replace', null, { password: 'x' }),
      op('add', 'groups', [{ value: 'g' }]),
    ]);
    expect(patched).toEqual(base());
    for (const path of ['id', 'meta.version', 'urn:ietf:params:scim:schemas:core:2.0:User:id']) {
      let error: unknown;
      try {
        applyPatch(base(), [op('replace', path, 'x')]);
      } catch (caught) {
        error = caught;
      }
      expect(isScimError(error) && error.scimType, path).toBe('mutability');
    }
  });
});
