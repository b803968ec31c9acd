import { type Actor, AdapterError, type AuditLog, InputError } from '@qdesk/core';
import type { PsaCompany } from '@qdesk/core/ports';
import { z } from 'zod';
import { actorSchema, assertPorts, idSchema, parseInput, requireAdmin, timestampSchema } from './_inputs.js';
import { afterCompanyLinkChange } from './_kept-suggestions.js';
import { auditLinkChange, technician } from './_link-audit.js';
import type { MappingStore } from './mapping-store.js';
import { normalizeDomain } from './normalize.js';
import type { CompanyLink, Customer } from './types.js';

/** Input of {@link createCustomerFromCompany}. @public */
export interface CreateCustomerFromCompanyInput {
  /** Where the company was synced to, and where the customer and link are stored. */
  store: MappingStore;
  /** The admin acting (recorded in `confirmedBy` and as the audit actor). */
  actor: Actor;
  /** The PSA company, as the last sync stored it. */
  companyId: string;
  /** Id for the new customer; the store makes one up when omitted. */
  customerId?: string;
  /** Epoch milliseconds of the confirmation (default: now). */
  at?: number;
  /** Where the new link is recorded (`link_company`, `via: 'new_customer'`). */
  audit?: AuditLog;
}

/** A customer made from a PSA company, and the link between them. @public */
export interface CustomerFromCompany {
  /** The new customer. */
  customer: Customer;
  /** The confirmed link from the company to it. */
  link: CompanyLink;
}

const inputSchema = z
  .object({
    store: z.unknown(),
    audit: z.unknown().optional(),
    actor: actorSchema,
    companyId: idSchema,
    customerId: idSchema.optional(),
    at: timestampSchema.optional(),
  })
  .strict();

/** A PSA name as a customer name: printable, trimmed, at most 255 characters, never empty. */
const customerName = (company: PsaCompany) =>
  company.name
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 255)
    .trim() || `Company ${company.id}`;

/**
 * "Create customer": makes a QDesk customer from a synced PSA company (its name, cleaned; its web address as
 * domain, normalised) and links them in one step, recorded as `link_company`. Nothing is created when the company is
 * linked already.
 * @example
 * ```ts
 * const { customer, link } = await createCustomerFromCompany({ store, actor, audit, companyId: '103' });
 * ```
 * @throws `InputError` naming the bad field, or `companyId` when the last sync did not store that company; a
 * `QdeskError` with code `conflict` when the company is linked already or the customer id is taken;
 * `AdapterError` when the store or the audit log fails (then the link is removed again; the customer stays).
 * @public
 */
export async function createCustomerFromCompany(
  input: CreateCustomerFromCompanyInput,
): Promise<CustomerFromCompany> {
  const operation = 'createCustomerFromCompany';
  const parsed = parseInput(inputSchema, input, operation);
  requireAdmin(parsed.actor, 'create a customer from a company');
  assertPorts(input);
  const { store, audit } = input;
  const { actor } = parsed;
  const tenantId = actor.tenantId;
  const companies = await AdapterError.wrap('mapping store', 'listCompanies', () =>
    store.listCompanies(tenantId),
  );
  const company = companies.find((c) => c.id === parsed.companyId);
  if (!company) {
    throw InputError.fromIssues(operation, [
      { path: 'companyId', message: `no company ${parsed.companyId} was synced; run a sync and reload` },
    ]);
  }
  const at = parsed.at ?? Date.now();
  const { customer, link } = await AdapterError.wrap('mapping store', 'createCustomer', () =>
    store.createCustomer(tenantId, {
      name: customerName(company),
      domain: normalizeDomain(company.webAddress),
      ...(parsed.customerId === undefined ? {} : { id: parsed.customerId }),
      linkTo: {
        companyId: company.id,
        confirmedBy: { id: actor.technicianId, name: actor.technicianName },
        confirmedAt: at,
      },
    }),
  );
  if (!link) {
    throw new AdapterError(`The mapping store created customer ${customer.id} without its company link.`, {
      port: 'mapping store',
      operation: 'createCustomer',
      details: { customerId: customer.id, companyId: company.id },
    });
  }
  const change = { actor: technician(actor), at, via: 'new_customer' as const };
  await auditLinkChange(audit, { ...change, kind: 'company', before: null, after: link }, () =>
    store.unlinkCompany(tenantId, company.id),
  );
  await afterCompanyLinkChange(store, tenantId, company.id);
  return { customer, link };
}
