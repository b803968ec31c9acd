/**
 * Links from PSA contacts to end-user accounts that an administrator confirmed. The verifier asks it first when a
 * ticket's contact must lead to an end-user, before falling back to the contact's email addresses.
 *
 * ## Partner guide
 *
 * One method. `@qdesk/matching`'s mapping stores implement it; so can any table of confirmed links. Return `null`
 * when the contact has no confirmed link in that tenant (never a suggestion that was not confirmed).
 * @public
 */
export interface ContactLinks {
  /** The version of this port the implementation follows. */
  readonly specificationVersion: 'v1';
  /** The end-user an administrator linked this PSA contact to, in that tenant, or `null`. */
  endUserForContact(tenantId: string, contactId: string): Promise<{ endUserId: string } | null>;
}
