import { type AuditRecord, isQdeskError } from '@qdesk/core';
import type { PsaContact } from '@qdesk/core/ports';
import {
  type CompanyMatchRow,
  type ContactMatchRow,
  listMatches,
  type MatchEndUser,
  type MatchPage,
} from '@qdesk/matching';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { directorySourceViews } from './admin-directory.js';
import {
  type AdminQuery,
  type AdminView,
  adminMatchingPage,
  matchingLink,
  RECENT_CHANGES,
} from './admin-page.js';
import type { AppServices } from './compose.js';
import { listPolicyLayers } from './policy-api.js';
import { adminOnlyPage, policiesPage } from './policy-page.js';
import type { Security, Technician } from './security.js';
import { technicianForPage } from './sign-in.js';

// The admin pages: matching (PSA companies and contacts to customers and end-users) and verification policies.

/** The audit actions of link changes, as `@qdesk/matching` records them (admins, syncs and webhooks). */
export const LINK_ACTIONS: ReadonlySet<string> = new Set([
  'link_company',
  'unlink_company',
  'link_contact',
  'unlink_contact',
]);

/** Rows on one page of the matching lists. */
const PAGE_SIZE = 50;

/**
 * The newest `limit` link changes of the tenant, newest first: the audit log filters them by action, however many
 * verifications were recorded since. A row's audit line looks for its link's change among them; a link changed
 * longer ago still shows who confirmed it and when (the link keeps both), only not how.
 */
export async function linkChanges(services: AppServices, limit = 300): Promise<AuditRecord[]> {
  return services.audit.query(services.tenantId, { actions: [...LINK_ACTIONS], limit });
}

const unique = <T>(values: Iterable<T>) => [...new Set(values)];
const ids = (values: Iterable<unknown>) =>
  unique([...values].filter((v): v is string => typeof v === 'string'));
const fullName = (c: Pick<PsaContact, 'firstName' | 'lastName'>) => `${c.firstName} ${c.lastName}`.trim();

/**
 * Everything one view of /admin/matching shows, read for that view only: one page of rows (an indexed read
 * wherever it is in the list), the customers and companies (a hundredth of the contacts), the end-users of the
 * customers on the page (the row pickers), who holds them, and the names the recent changes need.
 */
async function matchingView(
  services: AppServices,
  q: AdminQuery,
): Promise<Omit<AdminView, 'tech' | 'csrf' | 'demo' | 'directorySources'>> {
  const { mappings: store, tenantId } = services;
  const common = {
    store,
    tenantId,
    filter: q.filter,
    limit: PAGE_SIZE,
    ...(q.search ? { search: q.search } : {}),
    ...(q.after ? { after: q.after } : {}),
    ...(q.before ? { before: q.before } : {}),
  };
  const [page, customers, psaCompanies, companyLinks, changes] = await Promise.all([
    q.tab === 'companies'
      ? listMatches({ kind: 'companies', ...common })
      : listMatches({ kind: 'contacts', ...common, ...(q.company ? { companyId: q.company } : {}) }),
    store.listCustomers(tenantId),
    store.listCompanies(tenantId),
    // Which customers are linked already: only the companies tab offers customers.
    q.tab === 'companies' ? store.listCompanyLinks(tenantId) : Promise.resolve([]),
    linkChanges(services),
  ]);
  const companies = q.tab === 'companies' ? (page as MatchPage<CompanyMatchRow>) : null;
  const contacts = q.tab === 'contacts' ? (page as MatchPage<ContactMatchRow>) : null;
  const rows = contacts?.rows ?? [];
  // The recent changes shown name these contacts and end-users; the rows name theirs already.
  const shown = changes.slice(0, RECENT_CHANGES).filter((r) => r.action.endsWith('_contact'));
  // The pickers of the unmatched rows offer their customers' end-users.
  const customerIds = ids(rows.filter((r) => r.status !== 'matched').map((r) => r.customerId));
  const changeEndUserIds = ids(shown.flatMap((r) => [r.detail?.before, r.detail?.after]));
  const changeContactIds = ids(shown.map((r) => r.detail?.contactId));
  const [users, changeContacts] = await Promise.all([
    customerIds.length + changeEndUserIds.length
      ? store.findEndUsers(tenantId, { customerIds, ids: changeEndUserIds })
      : Promise.resolve([] as MatchEndUser[]),
    changeContactIds.length
      ? store.findContacts(tenantId, { ids: changeContactIds })
      : Promise.resolve([] as PsaContact[]),
  ]);
  const pickable = new Set(customerIds);
  const endUsers = users.filter((u) => u.customerId !== null && pickable.has(u.customerId));
  // An end-user linked to another contact cannot be picked again: the page names that contact.
  const contactLinks = endUsers.length
    ? await store.findContactLinks(tenantId, { endUserIds: endUsers.map((u) => u.id) })
    : [];
  const contactNames = new Map<string, string>();
  for (const c of [...rows.map((r) => r.contact), ...changeContacts]) contactNames.set(c.id, fullName(c));
  const holders = ids(contactLinks.map((l) => l.contactId)).filter((id) => !contactNames.has(id));
  if (holders.length) {
    for (const c of await store.findContacts(tenantId, { ids: holders })) contactNames.set(c.id, fullName(c));
  }
  const endUserNames = new Map<string, string>();
  for (const u of [
    ...users,
    ...rows.flatMap((r) => [...(r.endUser ? [r.endUser] : []), ...r.suggestedEndUsers]),
  ])
    endUserNames.set(u.id, u.displayName);
  return {
    ...q,
    companies,
    contacts,
    customers,
    companyLinks,
    endUsers,
    contactLinks,
    companyNames: new Map(psaCompanies.map((x) => [x.id, x.name])),
    contactNames,
    endUserNames,
    changes,
  };
}

/** The query of /admin/matching; a cursor only pages within the same tab, filter, search and company. */
const matchingQuery = z.object({
  tab: z.enum(['companies', 'contacts']).default('companies'),
  filter: z.enum(['suggested', 'all', 'unmatched', 'matched']).default('suggested'),
  search: z.string().trim().max(100).default(''),
  company: z
    .string()
    .trim()
    .max(128)
    .transform((v) => v || null)
    .nullable()
    .default(null),
  after: z.string().max(4000).optional(),
  before: z.string().max(4000).optional(),
});

/** A signed-in technician for the page, or the response that gets one (sign-in page, or demo sign-in and reload). */
async function staffFor(c: Context, services: AppServices, security: Security) {
  const tech = await technicianForPage(c, services, security);
  if (tech) return { tech } as const;
  const url = new URL(c.req.url);
  const here = `${url.pathname}${url.search}`; // back to the same view, filters and all
  return { redirect: c.redirect(services.demo ? here : `/login?next=${encodeURIComponent(here)}`, 303) };
}

export function registerAdminPages(app: Hono, services: AppServices, security: Security) {
  app.get('/admin/matching', async (c) => {
    const signed = await staffFor(c, services, security);
    if (!signed.tech) return signed.redirect;
    if (signed.tech.role !== 'admin')
      return c.html(adminOnlyPage(services.demo, '/admin/matching', services.adminRole, signed.tech), 403);
    const parsed = matchingQuery.parse(c.req.query());
    const q: AdminQuery = { ...parsed, company: parsed.tab === 'contacts' ? parsed.company : null };
    let view: Awaited<ReturnType<typeof matchingView>>;
    let directorySources: AdminView['directorySources'];
    try {
      [view, directorySources] = await Promise.all([
        matchingView(services, q),
        directorySourceViews(services),
      ]);
    } catch (error) {
      // A cursor from another version, or edited by hand: back to the first page of the same list.
      if (isQdeskError(error) && error.code === 'input_invalid' && (q.after || q.before))
        return c.redirect(matchingLink(q, {}), 303);
      throw error;
    }
    return c.html(
      adminMatchingPage({
        ...view,
        directorySources,
        csrf: security.csrfFor(signed.tech),
        demo: services.demo,
        tech: signed.tech,
      }),
    );
  });

  app.get('/admin/policies', async (c) => {
    const signed = await staffFor(c, services, security);
    if (!signed.tech) return signed.redirect;
    const tech: Technician = signed.tech;
    if (tech.role !== 'admin')
      return c.html(adminOnlyPage(services.demo, '/admin/policies', services.adminRole, tech), 403);
    return c.html(
      policiesPage({
        layers: await listPolicyLayers(services, tech),
        endUsers: await services.directory.list(services.tenantId),
        csrf: security.csrfFor(tech),
        demo: services.demo,
        tech,
      }),
    );
  });
}
