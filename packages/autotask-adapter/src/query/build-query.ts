import { InputError } from '@qdesk/core';
import { fieldIssues } from '@qdesk/core/ports';
import { z } from 'zod';
import type { AutotaskFilter, AutotaskQuery } from './filter.js';

/** Autotask's page size cap. @public */
export const MAX_PAGE_SIZE = 500;

const scalar = z.union([z.string(), z.number().finite(), z.boolean()]);
const field = z.string().trim().min(1, 'needs a field name');
const udf = z.boolean().optional();

const filterSchema: z.ZodType<AutotaskFilter> = z.lazy(() =>
  // Discriminated on `op` so an error names the broken part of the right kind of item.
  z.discriminatedUnion('op', [
    z.strictObject({ op: z.enum(['eq', 'noteq', 'gt', 'gte', 'lt', 'lte']), field, value: scalar, udf }),
    z.strictObject({ op: z.enum(['beginsWith', 'endsWith', 'contains']), field, value: z.string(), udf }),
    z.strictObject({ op: z.enum(['exist', 'notExist']), field, udf }),
    z.strictObject({
      op: z.enum(['in', 'notIn']),
      field,
      value: z.array(scalar).min(1, 'needs at least one value').max(500, 'at most 500 values'),
      udf,
    }),
    z.strictObject({
      op: z.enum(['and', 'or']),
      items: z.array(filterSchema).min(1, 'a group needs at least one item'),
    }),
  ]),
);

const querySchema = z.strictObject({
  filter: z.array(filterSchema).min(1, 'Autotask needs at least one filter item'),
  IncludeFields: z.array(field).min(1).optional(),
  MaxRecords: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
});

/** Options of {@link buildQuery}. @public */
export interface BuildQueryOptions {
  /** Only these fields come back. `id` is added when missing, because paging needs it. */
  includeFields?: string[];
  /** Records per page, 1 to 500 (Autotask's default and maximum is 500). */
  maxRecords?: number;
}

/**
 * Builds and checks a query body. Throws core's `InputError` naming the bad item (an empty `in` list, a group with
 * no items, a page size above 500...), so a bad query never reaches Autotask.
 * @example
 * ```ts
 * buildQuery([where.gt('id', 0)], { includeFields: ['companyName'], maxRecords: 100 });
 * // { filter: [{ op: 'gt', field: 'id', value: 0 }], IncludeFields: ['companyName', 'id'], MaxRecords: 100 }
 * ```
 * @public
 */
export function buildQuery(filter: AutotaskFilter[], options: BuildQueryOptions = {}): AutotaskQuery {
  const body: AutotaskQuery = { filter };
  if (options.includeFields !== undefined) {
    const fields = [...options.includeFields];
    if (!fields.some((f) => f.toLowerCase() === 'id')) fields.push('id');
    body.IncludeFields = fields;
  }
  if (options.maxRecords !== undefined) body.MaxRecords = options.maxRecords;
  return validateQuery(body);
}

/**
 * Checks a query body written by hand (the same checks as {@link buildQuery}) and returns a clean copy.
 * @public
 */
export function validateQuery(query: AutotaskQuery): AutotaskQuery {
  const parsed = querySchema.safeParse(query);
  if (parsed.success) return parsed.data as AutotaskQuery;
  throw InputError.fromIssues('an Autotask query', fieldIssues(parsed.error));
}
