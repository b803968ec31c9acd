/**
 * `@qdesk/autotask-adapter/testing`: a local Autotask for tests, demos and benchmarks. One in-memory implementation
 * (zone discovery, Tickets, Contacts, Companies, Resources, ticket notes written as the API user or as an
 * impersonated resource, the query language, 500-record paging, thread limits,
 * 429s, the auth quirks and fault injection), served as a real HTTP server on 127.0.0.1 by `startAutotaskFake`.
 * Needs nothing beyond this package; msw handlers for the same fake are at `@qdesk/autotask-adapter/testing/msw`.
 *
 * @packageDocumentation
 */

export { createAutotaskFake, FAKE_CREDENTIALS } from './fake.js';
export type { FakeRow, FakeSeedOptions, FakeTables } from './fake-data.js';
export { createFakeTables, FAKE_API_USER_RESOURCE_ID, FAKE_RESOURCES } from './fake-data.js';
export type { FakeFixtures } from './fake-fixtures.js';
export type { FakeResponse } from './fake-routes.js';
export type {
  AutotaskFake,
  AutotaskFakeCredentials,
  AutotaskFakeOptions,
  AutotaskFakePsaFaults,
  FakeFault,
  FakeImpersonationRights,
  FakeNote,
  FakeNoteAuthor,
  FakePsaOperation,
  FakeRequest,
  FakeRequestLogEntry,
} from './fake-types.js';
export type { AutotaskFakeServer, AutotaskFakeServerOptions } from './http-server.js';
export { startAutotaskFake } from './http-server.js';
