/**
 * Links from PSA contacts to end-user accounts that an administrator confirmed. The verifier asks it first when a
 * ticket's contact must lead to an end-user, before falling back to the contact's email addresses.
 *
 * ## Partner guide
 *
 * Two methods. `@qdesk/matching`'s mapping stores implement them; so can any table of confirmed links. Return `null`
 * when there is no confirmed link in that tenant (never a suggestion that was not confirmed). The verifier uses the
 * company link to check that an end-user belongs to the customer of the ticket a verification is bound to.
 * @public
 */
export interface ContactLinks {
  /** The version of this port the implementation follows. */
  readonly specificationVersion: 'v1';
  /** The end-user an administrator linked this PSA contact to, in that tenant, or `null`. */
  endUserForContact(tenantId: string, contactId: string): Promise<{ endUserId: string } | null>;
  /** The customer an administrator linked this PSA company to, in that tenant, or `null`. */
  customerForCompany(tenantId: string, companyId: string): Promise<{ customerId: string } | null>;
}
