import { InputError } from '@qdesk/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ContactRecord } from '../records.js';
import { buildQuery, validateQuery } from './build-query.js';
import { type AutotaskFilter, where, whereFields } from './filter.js';

describe('the filter builder', () => {
  it('writes every operator in Autotask JSON', () => {
    expect([
      where.eq('a', 1),
      where.noteq('a', 'x'),
      where.gt('a', 1),
      where.gte('a', 1),
      where.lt('a', 1),
      where.lte('a', 1),
      where.beginsWith('a', 'x'),
      where.endsWith('a', 'x'),
      where.contains('a', 'x'),
      where.exist('a'),
      where.notExist('a'),
      where.in('a', [1, 2]),
      where.notIn('a', ['x']),
      where.udf(where.eq('Customer Tier', 'Gold')),
    ]).toEqual([
      { op: 'eq', field: 'a', value: 1 },
      { op: 'noteq', field: 'a', value: 'x' },
      { op: 'gt', field: 'a', value: 1 },
      { op: 'gte', field: 'a', value: 1 },
      { op: 'lt', field: 'a', value: 1 },
      { op: 'lte', field: 'a', value: 1 },
      { op: 'beginsWith', field: 'a', value: 'x' },
      { op: 'endsWith', field: 'a', value: 'x' },
      { op: 'contains', field: 'a', value: 'x' },
      { op: 'exist', field: 'a' },
      { op: 'notExist', field: 'a' },
      { op: 'in', field: 'a', value: [1, 2] },
      { op: 'notIn', field: 'a', value: ['x'] },
      { op: 'eq', field: 'Customer Tier', value: 'Gold', udf: true },
    ]);
  });

  it('nests and / or groups', () => {
    const filter = where.and(
      where.eq('isActive', 1),
      where.or(where.eq('a', 1), where.and(where.eq('b', 2))),
    );
    expect(filter).toEqual({
      op: 'and',
      items: [
        { op: 'eq', field: 'isActive', value: 1 },
        {
          op: 'or',
          items: [
            { op: 'eq', field: 'a', value: 1 },
            { op: 'and', items: [{ op: 'eq', field: 'b', value: 2 }] },
          ],
        },
      ],
    });
  });

  it('checks field names against a record type with whereFields', () => {
    const c = whereFields<ContactRecord>();
    expectTypeOf(c.eq)
      .parameter(0)
      .toEqualTypeOf<
        | 'id'
        | 'companyID'
        | 'firstName'
        | 'lastName'
        | 'emailAddress'
        | 'emailAddress2'
        | 'emailAddress3'
        | 'mobilePhone'
        | 'phone'
        | 'isActive'
      >();
    // @ts-expect-error `companyId` is not a Contact field (Autotask spells it companyID)
    c.eq('companyId', 1);
    expect(c.eq('companyID', 1)).toEqual({ op: 'eq', field: 'companyID', value: 1 });
  });
});

describe('buildQuery', () => {
  it('adds id to IncludeFields and sets MaxRecords', () => {
    expect(buildQuery([where.gt('id', 0)], { includeFields: ['companyName'], maxRecords: 100 })).toEqual({
      filter: [{ op: 'gt', field: 'id', value: 0 }],
      IncludeFields: ['companyName', 'id'],
      MaxRecords: 100,
    });
    expect(buildQuery([where.gt('id', 0)], { includeFields: ['ID'] }).IncludeFields).toEqual(['ID']);
  });

  it.each([
    ['an empty filter', [], 'filter'],
    ['an empty in list', [where.in('id', [])], 'filter.0.value'],
    ['an empty group', [where.or()], 'filter.0.items'],
    ['a blank field', [where.eq(' ', 1)], 'filter.0.field'],
    ['a text operator with a number', [{ op: 'contains', field: 'a', value: 1 }], 'filter.0.value'],
    ['an unknown operator', [{ op: 'like', field: 'a', value: 'x' }], 'filter.0.op'],
    ['a value on exist', [{ op: 'exist', field: 'a', value: 1 }], 'filter.0'],
  ])('refuses %s with an InputError naming %s', (_name, filter, path) => {
    const error = (() => {
      try {
        buildQuery(filter as AutotaskFilter[]);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues[0]!.path).toBe(path);
    expect((error as Error).message).toContain(path);
  });

  it('refuses a page size above 500', () => {
    expect(() => buildQuery([where.gt('id', 0)], { maxRecords: 501 })).toThrow(/MaxRecords/);
    expect(() => validateQuery({ filter: [where.gt('id', 0)], MaxRecords: 0 })).toThrow(InputError);
  });
});
