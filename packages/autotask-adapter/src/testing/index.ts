/**
 * A local Autotask for tests, demos and benchmarks: one in-memory implementation (zone discovery, Tickets,
 * Contacts, Companies, ticket notes, the query language, 500-record paging, thread limits, 429s, the auth quirks and
 * fault injection) served either as a real HTTP server on 127.0.0.1 or through msw handlers. msw is an optional peer
 * dependency of `@qdesk/autotask-adapter`, needed only for this entry point.
 *
 * @packageDocumentation
 */

export { createAutotaskFake, FAKE_CREDENTIALS } from './fake.js';
export type { FakeRow, FakeSeedOptions, FakeTables } from './fake-data.js';
export { createFakeTables, FAKE_API_USER_RESOURCE_ID } from './fake-data.js';
export type { FakeFixtures } from './fake-fixtures.js';
export type { FakeResponse } from './fake-routes.js';
export type {
  AutotaskFake,
  AutotaskFakeCredentials,
  AutotaskFakeOptions,
  FakeFault,
  FakeNote,
  FakeRequest,
  FakeRequestLogEntry,
} from './fake-types.js';
export type { AutotaskFakeServer, AutotaskFakeServerOptions } from './http-server.js';
export { startAutotaskFake } from './http-server.js';
export type { AutotaskMswOptions } from './msw.js';
export { createAutotaskMswHandlers } from './msw.js';
