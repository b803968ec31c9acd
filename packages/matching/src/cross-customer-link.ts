import { AdapterError, type EndUser, InputError, isQdeskError, QdeskError } from '@qdesk/core';
import type { MappingStore } from './mapping-store.js';

/** A record by id and the name an admin knows it by. @public */
export interface NamedRecord {
  /** Its id (PSA id, customer id or end-user id). */
  id: string;
  /** Its name as the admin reads it (a person's full name, a company's or customer's name). */
  name: string;
}

/**
 * A contact link that crosses customers: the PSA contact and its company, with the customer that company is matched
 * to (or `null` when it is matched to none), and the end-user with the customer it belongs to (or `null`). A ticket
 * from the contact would verify that end-user, so {@link matchByHand} makes such a link only when the admin
 * confirms it (`confirmCrossCustomer: true`) after seeing both named.
 * @public
 */
export interface CrossCustomerLink {
  /** The PSA contact. */
  contact: NamedRecord;
  /** The contact's PSA company. */
  company: NamedRecord;
  /** The customer the company is matched to, or `null` when the company is matched to none. */
  companyCustomer: NamedRecord | null;
  /** The end-user picked. */
  endUser: NamedRecord;
  /** The customer the end-user belongs to, or `null` when the directory names none. */
  endUserCustomer: NamedRecord | null;
}

// The refusal is a `conflict` (the pair conflicts with the company's customer) marked by this reason, so no new error
// code is needed in core and a caller that only knows `conflict` still refuses.
const REASON = 'cross_customer_link';

/**
 * The pair {@link matchByHand} refused because it crosses customers, read from the error it threw, or `null` for
 * any other error. Works with an error from another copy of this package.
 * @example
 * ```ts
 * try { await matchByHand({ kind: 'contacts', store, actor, audit, contactId, endUserId, endUser }); }
 * catch (error) {
 *   const cross = crossCustomerLinkOf(error);
 *   if (cross) askToConfirm(`${cross.contact.name} works at ${cross.company.name}, but ${cross.endUser.name} ...`);
 *   else throw error;
 * }
 * ```
 * @public
 */
export function crossCustomerLinkOf(error: unknown): CrossCustomerLink | null {
  if (!isQdeskError(error) || error.code !== 'conflict' || error.details.reason !== REASON) return null;
  return error.details.link as CrossCustomerLink;
}

/** The error a cross-customer link without confirmation is refused with: names both sides, says what to do. @internal */
export function crossCustomerError(link: CrossCustomerLink): QdeskError {
  const { contact, company, companyCustomer, endUser, endUserCustomer } = link;
  // The customer is named only where its name differs from the company's: "Fabrikam (customer Fabrikam)" says nothing.
  const works = !companyCustomer
    ? `${contact.name} works at ${company.name}, which is not matched to a customer`
    : companyCustomer.name === company.name
      ? `${contact.name} works at ${company.name}`
      : `${contact.name} works at ${company.name} (customer ${companyCustomer.name})`;
  const belongs = endUserCustomer ? `belongs to ${endUserCustomer.name}` : 'belongs to no customer';
  const otherwise = companyCustomer
    ? `pick an end-user of ${companyCustomer.name}`
    : `match ${company.name} to its customer first`;
  return new QdeskError(
    `${works}, but ${endUser.name} ${belongs}: a ticket from ${contact.name} would verify ${endUser.name}. ` +
      `Link them only if they are the same person, by confirming the link across customers (confirmCrossCustomer: true); otherwise ${otherwise}.`,
    { code: 'conflict', details: { reason: REASON, link } },
  );
}

/**
 * Whether linking the contact to `endUser` crosses customers: `null` when the end-user belongs to the customer the
 * contact's company is matched to, else the pair with every side named. A contact the syncs never stored is an
 * `InputError` on `contactId`: its company, and so the check, is unknown.
 * @internal
 */
export async function crossCustomerCheck(
  store: MappingStore,
  tenantId: string,
  contactId: string,
  endUser: Pick<EndUser, 'id' | 'displayName' | 'customerId'>,
  operation: string,
): Promise<CrossCustomerLink | null> {
  const read = <T>(method: string, run: () => Promise<T>) => AdapterError.wrap('mapping store', method, run);
  const contact = (await read('listContacts', () => store.listContacts(tenantId))).find(
    (c) => c.id === contactId,
  );
  if (!contact) {
    throw InputError.fromIssues(operation, [
      { path: 'contactId', message: `no contact ${contactId} was synced; run a sync and reload` },
    ]);
  }
  const companyLink = await read('customerForCompany', () =>
    store.customerForCompany(tenantId, contact.companyId),
  );
  const endUserCustomerId = endUser.customerId ?? null;
  if (companyLink && companyLink.customerId === endUserCustomerId) return null;
  // Names are read only for the refusal (and its audit record): the same-customer path stays two reads.
  const [companies, customers] = await Promise.all([
    read('listCompanies', () => store.listCompanies(tenantId)),
    read('listCustomers', () => store.listCustomers(tenantId)),
  ]);
  const customer = (id: string | null): NamedRecord | null =>
    id === null ? null : { id, name: customers.find((c) => c.id === id)?.name ?? `customer ${id}` };
  return {
    contact: {
      id: contact.id,
      name: `${contact.firstName} ${contact.lastName}`.trim() || `contact ${contact.id}`,
    },
    company: {
      id: contact.companyId,
      name: companies.find((c) => c.id === contact.companyId)?.name ?? `company ${contact.companyId}`,
    },
    companyCustomer: customer(companyLink?.customerId ?? null),
    endUser: { id: endUser.id, name: endUser.displayName },
    endUserCustomer: customer(endUserCustomerId),
  };
}
