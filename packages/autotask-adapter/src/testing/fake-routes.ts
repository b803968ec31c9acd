import { createHash } from 'node:crypto';
import type { FakeRow, FakeTables } from './fake-data.js';
import { checkFilter, FakeQueryError, matches } from './fake-filter.js';

/** An HTTP answer of the fake. @public */
export interface FakeResponse {
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Record<string, string>;
  /** Response body (JSON text, or empty). */
  body: string;
  /** Drop the connection instead of answering (the work is done, the answer is lost). */
  dropConnection?: boolean;
}

/** What the routes need from the fake around them. */
export interface RouteContext {
  tables: FakeTables;
  /** Absolute base of next-page links, ending in `V1.0/`. */
  nextPageBase: () => string;
  pageSize: number;
  now: () => number;
  /** The API user's resource id. */
  resourceId: number;
  /** The resource named by `ImpersonationResourceId`, already admitted by the fake, or `null`. */
  impersonatedId: number | null;
}

type TableName = keyof FakeTables;

const FIELDS: Record<TableName, string[]> = {
  Companies: ['id', 'companyName', 'webAddress', 'isActive', 'userDefinedFields'],
  // biome-ignore format: a field list reads better packed
  Contacts: [
    'id', 'companyID', 'firstName', 'lastName', 'emailAddress', 'emailAddress2', 'emailAddress3',
    'mobilePhone', 'phone', 'isActive', 'userDefinedFields',
  ],
  Tickets: ['id', 'ticketNumber', 'title', 'companyID', 'contactID', 'status', 'assignedResourceID'],
  // biome-ignore format: a field list reads better packed
  TicketNotes: [
    'id', 'ticketID', 'title', 'description', 'noteType', 'publish', 'createDateTime', 'creatorResourceID',
    'impersonatorCreatorResourceID',
  ],
  Resources: ['id', 'firstName', 'lastName', 'email', 'userName', 'isActive'],
};
const FIELD_SETS = Object.fromEntries(
  Object.entries(FIELDS).map(([name, list]) => [name, new Set(list.map((f) => f.toLowerCase()))]),
) as Record<TableName, Set<string>>;

const PUBLISH = [1, 2];
const NOTE_TYPES = [1, 2, 3];

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});
export const apiErrors = (status: number, ...errors: string[]) => json(status, { errors });
const notFound = (path: string) =>
  json(404, { Message: `No HTTP resource was found that matches the request URI '${path}'.` });
const notAllowed = (method: string) =>
  json(405, { Message: `The requested resource does not support http method '${method}'.` });

/** Entity names are case-insensitive in Autotask URLs. */
export function tableOf(segment: string | undefined): TableName | null {
  if (segment === undefined) return null;
  return (Object.keys(FIELDS) as TableName[]).find((t) => t.toLowerCase() === segment.toLowerCase()) ?? null;
}

const hashBody = (body: unknown) => createHash('sha1').update(JSON.stringify(body)).digest('base64url');

/** First index whose id is greater than `afterId` (tables are kept sorted by id). */
function firstAfter(rows: FakeRow[], afterId: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.id > afterId) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function project(row: FakeRow, include: string[] | null): Record<string, unknown> {
  if (include === null) return structuredClone(row);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    if (include.some((f) => f.toLowerCase() === key.toLowerCase())) out[key] = structuredClone(row[key]);
  }
  return out;
}

function runQuery(table: TableName, body: Record<string, unknown>, afterId: number, ctx: RouteContext) {
  const filter = checkFilter(body.filter, FIELD_SETS[table], table);
  const max = body.MaxRecords ?? body.maxRecords ?? ctx.pageSize;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 500) {
    throw new FakeQueryError('MaxRecords must be between 1 and 500.');
  }
  const includeRaw = body.IncludeFields ?? body.includeFields;
  const include = Array.isArray(includeRaw) ? includeRaw.map(String) : null;
  for (const f of include ?? []) {
    if (!FIELD_SETS[table].has(f.toLowerCase())) throw new FakeQueryError(`Unable to find field '${f}'.`);
  }
  const rows = ctx.tables[table];
  const page: FakeRow[] = [];
  let more = false;
  for (let i = firstAfter(rows, afterId); i < rows.length; i++) {
    if (!matches(rows[i]!, filter)) continue;
    if (page.length === Math.min(max, ctx.pageSize)) {
      more = true;
      break;
    }
    page.push(rows[i]!);
  }
  const token = more
    ? Buffer.from(JSON.stringify({ e: table, a: page.at(-1)!.id, h: hashBody(body) })).toString('base64url')
    : null;
  return json(200, {
    items: page.map((row) => project(row, include)),
    pageDetails: {
      count: page.length,
      requestCount: max,
      prevPageUrl: null,
      nextPageUrl: token ? `${ctx.nextPageBase()}${table}/query/next?paging=${token}` : null,
    },
  });
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text || 'null');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {
    // answered below
  }
  throw new FakeQueryError('The request body is not a JSON object.');
}

function createNote(ticketId: number, text: string, ctx: RouteContext): FakeResponse {
  const body = parseBody(text);
  if (!ctx.tables.Tickets.some((t) => t.id === ticketId)) {
    return apiErrors(500, `Ticket ${ticketId} does not exist or you do not have access to it.`);
  }
  const problems: string[] = [];
  if (typeof body.title !== 'string' || body.title === '' || body.title.length > 250) {
    problems.push('title is required (at most 250 characters).');
  }
  if (typeof body.description !== 'string' || body.description === '' || body.description.length > 32000) {
    problems.push('description is required (at most 32000 characters).');
  }
  if (!PUBLISH.includes(Number(body.publish))) problems.push(`publish must be one of ${PUBLISH.join(', ')}.`);
  if (!NOTE_TYPES.includes(Number(body.noteType)))
    problems.push(`noteType must be one of ${NOTE_TYPES.join(', ')}.`);
  if (problems.length > 0) return apiErrors(500, ...problems);
  const notes = ctx.tables.TicketNotes;
  const id = (notes.at(-1)?.id ?? 880_000) + 1;
  notes.push({
    id,
    ticketID: ticketId,
    title: body.title,
    description: body.description,
    noteType: Number(body.noteType),
    publish: Number(body.publish),
    createDateTime: new Date(ctx.now()).toISOString(),
    // As Autotask records it: the impersonated resource is the creator, the API user its impersonator.
    creatorResourceID: ctx.impersonatedId ?? ctx.resourceId,
    impersonatorCreatorResourceID: ctx.impersonatedId === null ? null : ctx.resourceId,
  });
  return json(200, { itemId: id });
}

// biome-ignore format: a picklist reads better packed
const FIELD_INFO = {
  fields: [
    { name: 'publish', dataType: 'integer', isPickList: true, picklistValues: [
      { value: '1', label: 'All Autotask Users', isActive: true },
      { value: '2', label: 'Internal Only', isActive: true, isDefaultValue: true },
    ] },
    { name: 'noteType', dataType: 'integer', isPickList: true, picklistValues: NOTE_TYPES.map((v) => ({
      value: String(v), label: ['Activity Log Note', 'Detailed Description', 'Task Notes'][v - 1], isActive: true,
    })) },
  ],
};

/**
 * Answers an authenticated, admitted call below `V1.0/`. `segments` are the path parts after `V1.0`.
 */
export function route(
  method: string,
  segments: string[],
  search: URLSearchParams,
  text: string,
  ctx: RouteContext,
  fullPath: string,
): FakeResponse {
  const [first, second, third, fourth] = segments;
  if (first?.toLowerCase() === 'thresholdinformation' && segments.length === 1) {
    if (method !== 'GET') return notAllowed(method);
    return json(200, {
      externalRequestThreshold: 10_000,
      requestThresholdTimeframe: 60,
      currentTimeframeRequestCount: 0,
    });
  }
  const table = tableOf(first);
  if (table === null || segments.length > 4) return notFound(fullPath);
  try {
    if (second?.toLowerCase() === 'entityinformation') {
      if (method !== 'GET') return notAllowed(method);
      return table === 'TicketNotes' && third?.toLowerCase() === 'fields'
        ? json(200, FIELD_INFO)
        : json(200, { fields: [] });
    }
    if (second?.toLowerCase() === 'query') {
      if (third === undefined || third.toLowerCase() === 'count') {
        if (fourth !== undefined) return notFound(fullPath);
        if (method !== 'GET' && method !== 'POST') return notAllowed(method);
        const body = method === 'GET' ? parseBody(search.get('search') ?? '') : parseBody(text);
        if (third === undefined) return runQuery(table, body, -1, ctx);
        const filter = checkFilter(body.filter, FIELD_SETS[table], table);
        return json(200, { queryCount: ctx.tables[table].filter((row) => matches(row, filter)).length });
      }
      if (third.toLowerCase() !== 'next' || fourth !== undefined) return notFound(fullPath);
      // A next page must be a POST with the query's body; a GET is refused, as Autotask does.
      if (method !== 'POST') return notAllowed(method);
      const token = JSON.parse(
        Buffer.from(search.get('paging') ?? '', 'base64url').toString('utf8') || 'null',
      );
      const body = parseBody(text);
      if (token?.e !== table || token.h !== hashBody(body)) {
        return apiErrors(
          500,
          'The paging token does not belong to this query; send the same body as the first page.',
        );
      }
      return runQuery(table, body, Number(token.a), ctx);
    }
    if (second === undefined) return method === 'GET' ? notAllowed(method) : notFound(fullPath);
    if (!/^\d+$/.test(second)) return notFound(fullPath);
    const id = Number(second);
    if (third === undefined) {
      if (method !== 'GET') return notAllowed(method);
      const row = ctx.tables[table].find((r) => r.id === id);
      return json(200, { item: row ? structuredClone(row) : null });
    }
    if (table === 'Tickets' && third.toLowerCase() === 'notes' && fourth === undefined) {
      if (method === 'POST') return createNote(id, text, ctx);
      if (method !== 'GET') return notAllowed(method);
      const items = ctx.tables.TicketNotes.filter((n) => n.ticketID === id).map((n) => structuredClone(n));
      return json(200, {
        items,
        pageDetails: { count: items.length, requestCount: 500, prevPageUrl: null, nextPageUrl: null },
      });
    }
    return notFound(fullPath);
  } catch (error) {
    if (error instanceof FakeQueryError || error instanceof SyntaxError) return apiErrors(500, error.message);
    throw error;
  }
}
