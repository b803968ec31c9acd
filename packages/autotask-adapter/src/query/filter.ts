/** A scalar Autotask compares a field with. @public */
export type FilterValue = string | number | boolean;

/** Operators comparing a field with one value. @public */
export type ComparisonOperator = 'eq' | 'noteq' | 'gt' | 'gte' | 'lt' | 'lte';
/** Operators matching part of a text field. @public */
export type TextOperator = 'beginsWith' | 'endsWith' | 'contains';
/** Operators testing whether a field has a value. @public */
export type PresenceOperator = 'exist' | 'notExist';
/** Operators testing membership in a list. @public */
export type ListOperator = 'in' | 'notIn';
/** Every Autotask field operator. @public */
export type FieldOperator = ComparisonOperator | TextOperator | PresenceOperator | ListOperator;

/** One condition on one field. `udf: true` targets a user-defined field of that name. @public */
export type FieldCondition<F extends string = string> =
  | { op: ComparisonOperator; field: F; value: FilterValue; udf?: boolean }
  | { op: TextOperator; field: F; value: string; udf?: boolean }
  | { op: PresenceOperator; field: F; udf?: boolean }
  | { op: ListOperator; field: F; value: FilterValue[]; udf?: boolean };

/** An `and` / `or` group of conditions or further groups. @public */
export interface FilterGroup<F extends string = string> {
  /** How the items combine. */
  op: 'and' | 'or';
  /** The conditions or nested groups (at least one). */
  items: AutotaskFilter<F>[];
}

/** A filter item as Autotask's query language takes it: a condition or a group. @public */
export type AutotaskFilter<F extends string = string> = FieldCondition<F> | FilterGroup<F>;

/**
 * The JSON body of `POST /{Entity}/query` and `/query/count`. The top-level items combine with `and`.
 * Build it with {@link buildQuery}, which checks it.
 * @public
 */
export interface AutotaskQuery {
  /** At least one filter item. */
  filter: AutotaskFilter[];
  /** Only these fields come back (include `id` when paging). */
  IncludeFields?: string[];
  /** Records per page, 1 to 500. */
  MaxRecords?: number;
}

/** The operator helpers of {@link where} and {@link whereFields}. @public */
export interface FilterBuilder<F extends string> {
  /** `field == value` (text compares case-insensitively in Autotask). */
  eq(field: F, value: FilterValue): FieldCondition<F>;
  /** `field != value`. */
  noteq(field: F, value: FilterValue): FieldCondition<F>;
  /** `field > value`. */
  gt(field: F, value: FilterValue): FieldCondition<F>;
  /** `field >= value`. */
  gte(field: F, value: FilterValue): FieldCondition<F>;
  /** `field < value`. */
  lt(field: F, value: FilterValue): FieldCondition<F>;
  /** `field <= value`. */
  lte(field: F, value: FilterValue): FieldCondition<F>;
  /** Text field starts with `value`. */
  beginsWith(field: F, value: string): FieldCondition<F>;
  /** Text field ends with `value`. */
  endsWith(field: F, value: string): FieldCondition<F>;
  /** Text field contains `value`. */
  contains(field: F, value: string): FieldCondition<F>;
  /** Field has a value. */
  exist(field: F): FieldCondition<F>;
  /** Field has no value. */
  notExist(field: F): FieldCondition<F>;
  /** Field equals one of `values`. */
  in(field: F, values: FilterValue[]): FieldCondition<F>;
  /** Field equals none of `values`. */
  notIn(field: F, values: FilterValue[]): FieldCondition<F>;
  /** All of `items`. */
  and(...items: AutotaskFilter<F>[]): FilterGroup<F>;
  /** Any of `items`. */
  or(...items: AutotaskFilter<F>[]): FilterGroup<F>;
  /** The same condition on a user-defined field. */
  udf(condition: FieldCondition<string>): FieldCondition<string>;
}

const builder: FilterBuilder<string> = {
  eq: (field, value) => ({ op: 'eq', field, value }),
  noteq: (field, value) => ({ op: 'noteq', field, value }),
  gt: (field, value) => ({ op: 'gt', field, value }),
  gte: (field, value) => ({ op: 'gte', field, value }),
  lt: (field, value) => ({ op: 'lt', field, value }),
  lte: (field, value) => ({ op: 'lte', field, value }),
  beginsWith: (field, value) => ({ op: 'beginsWith', field, value }),
  endsWith: (field, value) => ({ op: 'endsWith', field, value }),
  contains: (field, value) => ({ op: 'contains', field, value }),
  exist: (field) => ({ op: 'exist', field }),
  notExist: (field) => ({ op: 'notExist', field }),
  in: (field, values) => ({ op: 'in', field, value: [...values] }),
  notIn: (field, values) => ({ op: 'notIn', field, value: [...values] }),
  and: (...items) => ({ op: 'and', items }),
  or: (...items) => ({ op: 'or', items }),
  udf: (condition) => ({ ...condition, udf: true }),
};

/**
 * Helpers for every operator of Autotask's query language, on any field name.
 * @example
 * ```ts
 * const query = buildQuery([
 *   where.eq('isActive', 1),
 *   where.or(where.eq('emailAddress', email), where.eq('emailAddress2', email), where.eq('emailAddress3', email)),
 * ]);
 * ```
 * @public
 */
export const where: FilterBuilder<string> = builder;

/** The declared keys of a record type, without the `string` index signature loose records carry. @public */
export type KnownFields<R> = Extract<
  keyof { [K in keyof R as string extends K ? never : number extends K ? never : K]: R[K] },
  string
>;

/**
 * The same helpers as {@link where}, with field names checked against a record type's declared fields.
 * @example
 * ```ts
 * const c = whereFields<ContactRecord>();
 * c.eq('companyID', 101); // c.eq('companyId', 101) does not compile
 * ```
 * @public
 */
export function whereFields<R extends object>(): FilterBuilder<KnownFields<R>> {
  return builder as unknown as FilterBuilder<KnownFields<R>>;
}
