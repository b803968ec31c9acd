import type { FakeSeedOptions, FakeTables } from './fake-data.js';
import type { FakeFixtures } from './fake-fixtures.js';
import type { FakeResponse } from './fake-routes.js';

/** API user credentials the fake accepts. @public */
export interface AutotaskFakeCredentials {
  /** `UserName` header. */
  username: string;
  /** `Secret` header. */
  secret: string;
  /** `ApiIntegrationCode` header. */
  integrationCode: string;
}

/** Options of `createAutotaskFake`. @public */
export interface AutotaskFakeOptions extends FakeSeedOptions {
  /** Accepted credentials (default {@link FAKE_CREDENTIALS}). */
  credentials?: AutotaskFakeCredentials;
  /** Zone URL announced by discovery (the HTTP server sets its own; msw users keep the default). */
  zoneUrl?: string;
  /** Added to every request, in ms (default 0). */
  latencyMs?: number;
  /** Concurrent requests per endpoint before "Thread Threshold Exceeded" (default 3). */
  threadLimit?: number;
  /** Status of the thread-limit answer (default 500, as Autotask often does). */
  threadLimitStatus?: number;
  /** Largest page (default 500). */
  pageSize?: number;
  /** Requests per rolling hour for the whole database before 429s (default unlimited). */
  requestsPerHour?: number;
  /** Who may act as whom (default: the API user may impersonate, every active resource may be impersonated). */
  impersonation?: {
    /** The API user's security level allows impersonation for Ticket Notes (default true). */
    apiUserMayImpersonate?: boolean;
    /** Resources whose security level does not allow them to be impersonated (default none). */
    notImpersonable?: number[];
  };
}

/**
 * The fake's impersonation rights, changeable at any time. A ticket note created with `ImpersonationResourceId` is
 * stored with that resource as `creatorResourceID` and the API user as `impersonatorCreatorResourceID`, when both
 * rights hold and the resource is active; otherwise it is refused with HTTP 500 and an `errors` text containing
 * "does not have adequate permissions", as reported for Autotask (its exact wording was not observed here).
 * @public
 */
export interface FakeImpersonationRights {
  /** The API user's security level allows impersonation for Ticket Notes (Web Services API section). */
  apiUserMayImpersonate: boolean;
  /** Resources whose security level does not allow "impersonation of resources with this security level". */
  readonly notImpersonable: Set<number>;
}

/** A scripted failure: the next matching requests get this answer instead of being served. @public */
export interface FakeFault {
  /** HTTP status to answer. */
  status: number;
  /** Body: an object (sent as JSON) or raw text (default `{"errors":["Injected failure"]}`). */
  body?: unknown;
  /** Extra headers (for example `Retry-After`). */
  headers?: Record<string, string>;
  /** Only requests on this endpoint key (`Contacts`, `TicketNotes`, `zoneInformation`...). */
  endpoint?: string;
  /** Only requests with this method. */
  method?: string;
  /** Only requests whose path below `V1.0/` starts with this (case-insensitive), e.g. `Tickets/1001/Notes`. */
  path?: string;
}

/** The PSA port's operations a fault can target. @public */
export type FakePsaOperation = 'getTicketContext' | 'getContact' | 'writeVerificationNote';

/**
 * Faults in the terms of the PSA port rather than of HTTP, shaped like the `faults` option of core's
 * `runPsaAdapterConformance`: pass `fake.psaFaults` as it is.
 * @public
 */
export interface AutotaskFakePsaFaults {
  /**
   * The next request of `operation` (`GET Tickets/{id}`, `GET Contacts/{id}`, or the first ticket-note request
   * of a note write) fails the way Autotask fails: HTTP 500 with an `errors` body, which no retry gets past.
   */
  failNext(operation: FakePsaOperation): void;
  /** The next ticket note create is stored, then the connection is dropped before the answer. */
  loseNextNoteAnswer(): void;
}

/** One request the fake saw. @public */
export interface FakeRequestLogEntry {
  /** Epoch ms when it arrived. */
  at: number;
  /** HTTP method. */
  method: string;
  /** Path below `V1.0/` (or `zoneInformation`), with the query string. */
  path: string;
  /** Thread-limit key. */
  endpoint: string;
  /** Status answered; `0` when the fake dropped the connection instead of answering. */
  status: number;
  /** Whether any credential header came with it. */
  withCredentials: boolean;
  /** The `ImpersonationResourceId` header it carried, or `null`. */
  impersonationResourceId: string | null;
}

/** A request handed to {@link AutotaskFake.handle}. @public */
export interface FakeRequest {
  /** HTTP method. */
  method: string;
  /** Absolute URL. */
  url: string;
  /** Headers with lower-case names. */
  headers: Record<string, string | undefined>;
  /** Raw body text. */
  body: string;
}

/** A ticket note as the fake stores it. @public */
export interface FakeNote {
  /** Note id. */
  id: string;
  /** Ticket id. */
  ticketId: string;
  /** Title. */
  title: string;
  /** Text (`description` in Autotask). */
  text: string;
  /** `publish` value. */
  publish: number;
  /** `noteType` value. */
  noteType: number;
}

/** Who wrote a ticket note, as Autotask records it. @public */
export interface FakeNoteAuthor {
  /** `creatorResourceID`: the impersonated resource, or the API user when there was no impersonation. */
  creatorResourceId: number;
  /** `impersonatorCreatorResourceID`: the API user when the note was created by impersonation, else `null`. */
  impersonatorResourceId: number | null;
}

/**
 * An in-memory Autotask: one implementation behind both the HTTP server (`startAutotaskFake`) and the msw handlers
 * (`createAutotaskMswHandlers` from `@qdesk/autotask-adapter/testing/msw`).
 * @public
 */
export interface AutotaskFake {
  /** Accepted credentials. */
  readonly credentials: AutotaskFakeCredentials;
  /** Zone URL discovery announces. */
  zoneUrl: string;
  /** Added latency per request in ms. */
  latencyMs: number;
  /** Thread limit per endpoint and the status it answers with. */
  threadLimit: { max: number; status: number };
  /** When set, `nextPageUrl`s point at this origin instead of the zone's (to test foreign-host refusal). */
  nextPageOrigin: string | null;
  /** Impersonation rights (see {@link FakeImpersonationRights}). */
  readonly impersonation: FakeImpersonationRights;
  /** The data, readable and writable directly. */
  readonly tables: FakeTables;
  /** Serves one request. */
  handle(request: FakeRequest): Promise<FakeResponse>;
  /** Answers the next `count` matching requests with `fault`. */
  failNext(count: number, fault: FakeFault): void;
  /** Answers the next `count` requests with 429 (with `Retry-After` when `retryAfterSeconds` is given). */
  rateLimitNext(count: number, options?: { retryAfterSeconds?: number; endpoint?: string }): void;
  /** The next note create is stored, but its answer is held back `ms` (past a client's timeout). */
  delayNextCreateResponse(ms: number): void;
  /** The next note create is stored, then the connection is dropped without an answer. */
  dropNextCreateAnswer(): void;
  /** Faults in the terms of the PSA port, for core's conformance kit. */
  readonly psaFaults: AutotaskFakePsaFaults;
  /** Largest number of concurrent requests seen on `endpoint` (or on any endpoint). */
  maxInFlight(endpoint?: string): number;
  /** Every request seen, oldest first. */
  readonly requests: readonly FakeRequestLogEntry[];
  /** Clears the request log and the in-flight maxima. */
  resetObservations(): void;
  /** Drops every pending fault, delayed create and dropped answer. */
  clearFaults(): void;
  /** Notes of one ticket, oldest first. */
  notes(ticketId: string | number): FakeNote[];
  /** Who wrote the note with this id (creator and impersonator), or `null` when there is no such note. */
  noteAuthor(noteId: string | number): FakeNoteAuthor | null;
  /** Records the PSA conformance suite needs, taken from the seeded data. */
  fixtures(): FakeFixtures;
}
