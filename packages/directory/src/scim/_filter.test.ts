import { describe, expect, it } from 'vitest';
import { parseFilter, parsePatchPath } from './_filter.js';
import { matchesElement } from './_filter-eval.js';
import { isScimError } from './scim-error.js';

const attr = (attribute: string, subAttribute: string | null = null, schema: string | null = null) => ({
  schema,
  attribute,
  subAttribute,
});
const eq = (attribute: string, value: unknown) => ({
  kind: 'compare',
  path: attr(attribute),
  valueFilter: null,
  op: 'eq',
  value,
});

function failure(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isScimError(error)) return { status: error.status, scimType: error.scimType, message: error.message };
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('SCIM filter parser', () => {
  it('binds and tighter than or, and reads not, parentheses and operators in any case', () => {
    expect(parseFilter('a eq 1 OR b Eq true and c eq null')).toEqual({
      kind: 'or',
      left: eq('a', 1),
      right: { kind: 'and', left: eq('b', true), right: eq('c', null) },
    });
    expect(parseFilter('not (a pr) and (b eq "x" or c ne "y")')).toEqual({
      kind: 'and',
      left: { kind: 'not', filter: { kind: 'present', path: attr('a'), valueFilter: null } },
      right: {
        kind: 'or',
        left: eq('b', 'x'),
        right: { kind: 'compare', path: attr('c'), valueFilter: null, op: 'ne', value: 'y' },
      },
    });
  });

  it('reads value paths with and without a sub-attribute, schema URNs, and JSON escapes in strings', () => {
    expect(parseFilter('emails[type eq "work"].value eq "a\\"b@example.com"')).toEqual({
      kind: 'compare',
      path: attr('emails', 'value'),
      valueFilter: eq('type', 'work'),
      op: 'eq',
      value: 'a"b@example.com',
    });
    expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toEqual({
      kind: 'valuePath',
      path: attr('emails'),
      filter: {
        kind: 'and',
        left: eq('type', 'work'),
        right: { kind: 'compare', path: attr('value'), valueFilter: null, op: 'co', value: '@example.com' },
      },
    });
    expect(
      parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1"'),
    ).toMatchObject({
      path: attr('manager', 'value', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
    });
    expect(parseFilter('meta.lastModified gt "2025-01-01T00:00:00Z"')).toMatchObject({
      op: 'gt',
      path: attr('meta', 'lastModified'),
    });
  });

  it('says where a filter is wrong, as 400 invalidFilter', () => {
    expect(failure(() => parseFilter('userName eq "x" extra'))).toEqual({
      status: 400,
      scimType: 'invalidFilter',
      message: 'The filter "userName eq \\"x\\" extra" has "extra" at position 17 where it should end.',
    });
    expect(failure(() => parseFilter('   ')).message).toMatch(/is empty/);
    expect(failure(() => parseFilter('emails[type eq "a"][x eq "b"]')).message).toMatch(
      /"\[" at position 20 where it should end/,
    );
    expect(failure(() => parseFilter('emails[type[x eq "y"] eq "a"]')).message).toMatch(
      /nests a \[filter\] inside another/,
    );
    expect(failure(() => parseFilter('name.givenName[x eq "y"]')).message).toMatch(
      /puts \[filter\] after a sub-attribute/,
    );
    expect(failure(() => parseFilter('a eq "x\\q"')).message).toMatch(/bad escape at position 6/);
    expect(failure(() => parseFilter('a eq x')).message).toMatch(/"x" at position 6 where a value/);
    expect(failure(() => parseFilter('1abc eq "x"')).message).toMatch(/where an attribute name was expected/);
  });

  it('reads PATCH paths and says where one is wrong, as 400 invalidPath', () => {
    expect(parsePatchPath('phoneNumbers[type eq "mobile"].value')).toEqual({
      path: attr('phoneNumbers', 'value'),
      valueFilter: eq('type', 'mobile'),
    });
    expect(parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User')).toEqual({
      path: attr('User', null, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0'),
      valueFilter: null,
    });
    expect(failure(() => parsePatchPath('active eq true'))).toMatchObject({ scimType: 'invalidPath' });
    expect(failure(() => parsePatchPath('emails[type eq "work"] .value')).message).toMatch(
      /".value" at position 24/,
    );
  });
});

describe('SCIM value filters on one value', () => {
  const email = { value: 'A@Example.com', type: 'work', primary: 'True' };
  it.each([
    ['type eq "WORK"', true],
    ['type ne "work"', false],
    ['value sw "a@" and value ew ".COM"', true],
    ['value co "example"', true],
    ['primary eq true', true],
    ['display pr', false],
    ['type eq "home" or not (primary eq false)', true],
    ['type gt "home"', true],
    ['type lt "home"', false],
    ['missing eq null', true],
    ['value eq 5', false],
  ])('%s is %s', (filter, expected) => {
    expect(matchesElement(email, parseFilter(filter))).toBe(expected);
  });
});
