import type { ScimUserData, ScimUserRecord } from './scim-user.js';

/**
 * One condition of a user listing, all of which must hold. The SCIM handler turns the `filter` an identity provider
 * sends (`userName eq "x"`, `externalId eq "x"`, `emails[type eq "work"].value eq "x"`, joined by `and`) into these.
 * - `userName`: equal without regard to case.
 * - `externalId`, `id`: equal exactly.
 * - `email`: one of the user's `emails` has this `value` (without regard to case) and, when `type` is not `null`,
 *   this `type` (without regard to case); both on the same email.
 * - `active`: the user's `active` is this.
 * @public
 */
export type ScimUserCondition =
  | { attribute: 'userName' | 'externalId' | 'id'; value: string }
  | { attribute: 'email'; value: string; type: string | null }
  | { attribute: 'active'; value: boolean };

/** A page of users to list. @public */
export interface ScimUserQuery {
  /** Conditions every listed user meets (none: every user of the customer). */
  conditions: ScimUserCondition[];
  /** 1-based position of the first user to return, in the store's order. */
  startIndex: number;
  /** How many users to return at most (0: none, only `totalResults`). */
  count: number;
}

/** One page of a listing. @public */
export interface ScimUserList {
  /** The page's users, in the store's order (oldest `created` first, then by `id`). */
  users: ScimUserRecord[];
  /** How many users meet the conditions in all, across every page. */
  totalResults: number;
}

/** A user to create: the id the handler made up, the data, and the time of the write (epoch ms). @public */
export interface NewScimUser {
  /** The new user's id. */
  id: string;
  /** The attributes. */
  user: ScimUserData;
  /** `created` and `lastModified`. */
  at: number;
}

/** A user's new data, written only when the stored version is still `expectedVersion`. @public */
export interface ScimUserReplacement extends NewScimUser {
  /** The version the new data was computed from. */
  expectedVersion: number;
}

/** Direct reads of a store's backing system, bypassing its methods, for the conformance kit. @public */
export interface ScimUserStoreInspector {
  /** The stored row of a user, or `null` (a plain select by customer and id). */
  user(customerId: string, id: string): Promise<ScimUserRecord | null>;
  /** How many users the customer has. */
  count(customerId: string): Promise<number>;
}

/**
 * Where the SCIM handler keeps the users identity providers push, per customer: the port a database implements
 * (memory: `createMemoryScimUserStore`). Each method takes the customer id first; nothing of one customer is
 * ever read, refused or changed because of another.
 *
 * ## Implementing it
 * One table serves: `(customer_id, id)` as the key, `user_name_key` (the `userName` in lower case) unique per
 * customer, `external_id` indexed, `created`, `last_modified`, `version`, and the {@link ScimUserData} as a JSON
 * column (emails are matched inside it for the `email` condition). Then:
 * - `create` refuses a `userName` another user of the customer has, compared in lower case, by throwing
 *   `ScimError.userNameTaken` (let the unique index decide, so two racing creates cannot both win); it stores
 *   version 1 with `created` and `lastModified` both `at`.
 * - `replace` writes only when the stored version is `expectedVersion` (`update ... where version = $expected`),
 *   else throws `ScimError.versionMismatch`; keeps `created`; sets `lastModified` to `at` and the version to
 *   `expectedVersion + 1`; throws `ScimError.userNameTaken` when the new `userName` is another user's; returns
 *   `null` when there is no such user.
 * - `delete` removes the user (only at `expectedVersion` when given) and returns what it removed, or `null`.
 * - `list` orders by `created`, then `id`, applies every condition, and returns `totalResults` for all pages.
 * - Returned records must not change when the caller changes what it passed in, nor the store when the caller
 *   changes what it got back.
 * - Any other failure rejects with the driver's error: the handler answers 500 and reports it, never its message.
 *
 * Run `runScimUserStoreConformance` (in `src/scim/testing`) against your implementation.
 * @public
 */
export interface ScimUserStore {
  /** Which version of this port the store implements. */
  readonly specificationVersion: 'v1';
  /** The user with this id, or `null`. */
  get(customerId: string, id: string): Promise<ScimUserRecord | null>;
  /** The user with this `userName` (without regard to case), or `null`. */
  findByUserName(customerId: string, userName: string): Promise<ScimUserRecord | null>;
  /** Every user with this `externalId` (exactly), oldest first: usually one, as providers keep it unique. */
  findByExternalId(customerId: string, externalId: string): Promise<ScimUserRecord[]>;
  /** One page of the users that meet every condition, and how many do in all. */
  list(customerId: string, query: ScimUserQuery): Promise<ScimUserList>;
  /** Stores a new user at version 1; throws `ScimError.userNameTaken` when its `userName` is taken. */
  create(customerId: string, user: NewScimUser): Promise<ScimUserRecord>;
  /** Replaces a user's data if it is still at `expectedVersion`; `null` when there is no such user. */
  replace(customerId: string, replacement: ScimUserReplacement): Promise<ScimUserRecord | null>;
  /** Removes a user (only at `expectedVersion` when given) and returns what was removed, or `null`. */
  delete(customerId: string, id: string, expectedVersion?: number): Promise<ScimUserRecord | null>;
}
