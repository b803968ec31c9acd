// src/suggest-companies.ts as it was before the linear-time work, copied unchanged but for the types (from the
// public API), so that bench/suggest.ts can run it beside the current one on the same records.
import type { PsaCompany } from '@qdesk/core/ports';
import type { CompanyLink, CompanyMatchReason, CompanyMatchSuggestion, Customer } from '@qdesk/matching';
import { checkRecords, SHAPES } from './_inputs.js';
import { markSharedCandidates, NONE, push } from './_suggestions.js';
import { normalizeCompanyName, normalizeDomain } from './normalize.js';

/** The part of a {@link CompanyLink} suggestions need: which company is already linked to which customer. @public */
export type CompanyPair = Pick<CompanyLink, 'companyId' | 'customerId'>;

const BY_NAME: readonly CompanyMatchReason[] = Object.freeze(['same_name']);
const BY_NAME_AND_DOMAIN: readonly CompanyMatchReason[] = Object.freeze(['same_name', 'same_domain']);
const BY_DOMAIN: readonly CompanyMatchReason[] = Object.freeze(['same_domain']);

function suggestion(
  companyId: string,
  customerId: string,
  reasons: readonly CompanyMatchReason[],
  group: readonly Customer[],
  strongWhenAlone: boolean,
): CompanyMatchSuggestion {
  const tie = group.length > 1;
  return {
    companyId,
    customerId,
    reason: reasons[0]!,
    reasons,
    strength: strongWhenAlone && !tie ? 'strong' : 'weak',
    tie,
    ties: tie ? group.filter((c) => c.id !== customerId).map((c) => c.id) : NONE,
    conflicts: NONE,
  };
}

/**
 * Suggests a customer for each PSA company that is not linked yet.
 *
 * | rule | strength |
 * |---|---|
 * | the names are equal after {@link normalizeCompanyName}, and only one customer has that name | `strong` |
 * | several customers have that name | `weak`, each marked `tie` with the others in `ties`: none is picked |
 * | the company's web address and the customer's domain are equal after {@link normalizeDomain} | `weak` (`tie` when several) |
 * | one customer is the strong candidate of several companies | `weak`, with a `shared_candidate` conflict |
 *
 * A customer that matches on both name and domain gets one suggestion with both `reasons`. Companies in `links` are
 * not suggested again, and customers in `links` are not offered (links are one to one). Suggestions come in the
 * order of `companies`, name matches before domain matches within a company; a company never has more than one strong
 * suggestion, and a customer is never the strong suggestion of two companies.
 *
 * Note: the cost grows linearly: customers are indexed by name and domain keys once, then each company is looked up.
 * @example
 * ```ts
 * const suggestions = suggestCompanyMatches(companies, await store.listCustomers(tenantId),
 *   await store.listCompanyLinks(tenantId));
 * const strong = suggestions.filter((s) => s.strength === 'strong');
 * ```
 * @throws `InputError` naming the first malformed field.
 * @public
 */
export function suggestCompanyMatches(
  companies: readonly PsaCompany[],
  customers: readonly Customer[],
  links: readonly CompanyPair[] = [],
): CompanyMatchSuggestion[] {
  const operation = 'suggestCompanyMatches';
  checkRecords(operation, 'companies', companies, SHAPES.company);
  checkRecords(operation, 'customers', customers, SHAPES.customer);
  checkRecords(operation, 'links', links, SHAPES.companyPair);

  const linkedCompanies = new Set(links.map((l) => l.companyId));
  const linkedCustomers = new Set(links.map((l) => l.customerId));
  const byName = new Map<string, Customer[]>();
  const byDomain = new Map<string, Customer[]>();
  const seenCustomers = new Set<string>();
  for (const customer of customers) {
    if (linkedCustomers.has(customer.id) || seenCustomers.has(customer.id)) continue;
    seenCustomers.add(customer.id);
    const name = normalizeCompanyName(customer.name);
    if (name !== '') push(byName, name, customer);
    const domain = normalizeDomain(customer.domain);
    if (domain !== null) push(byDomain, domain, customer);
  }

  const out: CompanyMatchSuggestion[] = [];
  const seenCompanies = new Set<string>();
  for (const company of companies) {
    if (linkedCompanies.has(company.id) || seenCompanies.has(company.id)) continue;
    seenCompanies.add(company.id);
    const name = normalizeCompanyName(company.name);
    const named = name === '' ? [] : (byName.get(name) ?? []);
    const domain = normalizeDomain(company.webAddress);
    const domained = domain === null ? [] : (byDomain.get(domain) ?? []);
    const domainIds = new Set(domained.map((c) => c.id));
    const namedIds = new Set(named.map((c) => c.id));
    for (const customer of named) {
      const reasons = domainIds.has(customer.id) ? BY_NAME_AND_DOMAIN : BY_NAME;
      out.push(suggestion(company.id, customer.id, reasons, named, true));
    }
    const domainOnly = domained.filter((c) => !namedIds.has(c.id));
    for (const customer of domainOnly) {
      out.push(suggestion(company.id, customer.id, BY_DOMAIN, domainOnly, false));
    }
  }
  markSharedCandidates(
    out,
    (s) => s.companyId,
    (s) => s.customerId,
  );
  return out;
}
