import { isScimError } from '../scim-error.js';
import type { ScimUserData } from '../scim-user.js';

let counter = 0;
/** A customer id no other rule (or earlier run against a shared database) uses. @internal */
export const newCustomer = () =>
  `cust-kit-${Date.now().toString(36)}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/** A user as the SCIM handler would store it. @internal */
export const sampleUser = (userName: string, more: Partial<ScimUserData> = {}): ScimUserData => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  externalId: null,
  active: true,
  displayName: null,
  name: null,
  emails: [{ value: userName, type: 'work', primary: true }],
  phoneNumbers: [],
  extra: {},
  ...more,
});

/** JSON with sorted keys, for messages and comparisons. @internal */
export function canon(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    field && typeof field === 'object' && !Array.isArray(field)
      ? Object.fromEntries(
          Object.entries(field as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : field,
  );
}

/** @internal */
export const same = (a: unknown, b: unknown) => canon(a) === canon(b);

/** What a call threw (or `undefined` when it resolved). @internal */
export async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Whether an error is the ScimError of that status (and scimType, when given). @internal */
export const isStatus = (error: unknown, status: number, scimType?: string) =>
  isScimError(error) && error.status === status && (scimType === undefined || error.scimType === scimType);

/** How an error reads in a rule's message. @internal */
export const describeError = (error: unknown) =>
  error === undefined
    ? 'resolved'
    : isScimError(error)
      ? `threw ScimError ${error.status}${error.scimType ? ` ${error.scimType}` : ''}`
      : `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
