import type { AuditRecord } from '@qdesk/core';
import { listMatches } from '@qdesk/matching';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { directorySourceViews } from './admin-directory.js';
import { adminMatchingPage } from './admin-page.js';
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

/**
 * The newest `limit` link changes of the tenant, newest first: the audit log filters them by action, however many
 * verifications were recorded since. A link older than that still shows who confirmed it and when (the link keeps
 * both), only not how.
 */
export async function linkChanges(services: AppServices, limit = 20_000): Promise<AuditRecord[]> {
  return services.audit.query(services.tenantId, { actions: [...LINK_ACTIONS], limit });
}

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
    const q = z
      .object({
        tab: z.enum(['companies', 'contacts']).default('companies'),
        filter: z.enum(['suggested', 'all', 'unmatched', 'matched']).default('suggested'),
        search: z.string().trim().max(100).default(''),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      })
      .parse(c.req.query());
    const { mappings: store, tenantId } = services;
    const endUsers = await services.directory.list(tenantId);
    const common = {
      store,
      tenantId,
      filter: q.filter,
      offset: q.offset,
      limit: 50,
      ...(q.search ? { search: q.search } : {}),
    };
    const [
      companies,
      contacts,
      customers,
      psaCompanies,
      psaContacts,
      companyLinks,
      contactLinks,
      changes,
      directorySources,
    ] = await Promise.all([
      q.tab === 'companies' ? listMatches({ kind: 'companies', ...common }) : Promise.resolve(null),
      q.tab === 'contacts' ? listMatches({ kind: 'contacts', endUsers, ...common }) : Promise.resolve(null),
      store.listCustomers(tenantId),
      store.listCompanies(tenantId),
      store.listContacts(tenantId),
      store.listCompanyLinks(tenantId),
      store.listContactLinks(tenantId),
      linkChanges(services),
      directorySourceViews(services),
    ]);
    return c.html(
      adminMatchingPage({
        ...q,
        companies,
        contacts,
        customers,
        endUsers,
        companyLinks,
        contactLinks,
        companyNames: new Map(psaCompanies.map((x) => [x.id, x.name])),
        contactNames: new Map(psaContacts.map((x) => [x.id, `${x.firstName} ${x.lastName}`.trim()])),
        changes,
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
