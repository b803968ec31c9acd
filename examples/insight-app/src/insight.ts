import type { TicketLookup } from '@qdesk/core';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import type { AppEnv } from './config.js';
import { insightPage } from './insight-page.js';
import { problemOf } from './pages.js';
import type { Security } from './security.js';
import { technicianForPage } from './sign-in.js';
import { actorFor } from './staff.js';

// The Insight route: the page a PSA ticket embeds, for the ticket's id.

export function registerInsight(app: Hono, services: AppServices, security: Security, env: AppEnv) {
  app.get('/insight', async (c) => {
    const parsed = z
      .string()
      .trim()
      .regex(/^\d{1,12}$/)
      .safeParse(c.req.query('ticketId'));
    if (!parsed.success) {
      return c.json(
        {
          error: {
            code: 'input_invalid',
            message: 'ticketId must be a numeric ticket id, e.g. /insight?ticketId=1001.',
          },
        },
        400,
      );
    }
    const tech = await technicianForPage(c, services, security);
    if (!tech) {
      const here = `/insight?ticketId=${parsed.data}`;
      return c.redirect(services.demo ? here : `/login?next=${encodeURIComponent(here)}`, 303);
    }
    const actor = actorFor(services.tenantId, tech);
    let lookup: TicketLookup | null = null;
    let problem = null;
    try {
      lookup = await services.verifier.lookupTicket({ actor, ticketId: parsed.data });
    } catch (error) {
      problem = problemOf(error);
    }
    // The end-user's customer decides whether comparing by eye is offered; a start from an email offers the tenant's
    // methods (the end-user, and so their customer, is not known yet).
    const [forCustomer, forTenant] = await Promise.all([
      lookup ? services.verifier.getPolicy({ actor, customerId: lookup.endUser.customerId }) : null,
      services.verifier.getPolicy({ actor, customerId: null }),
    ]);
    return c.html(
      insightPage({
        ticketId: parsed.data,
        lookup,
        problem,
        csrf: security.csrfFor(tech),
        demo: services.demo,
        technician: { id: tech.id, name: tech.name },
        codeModes: (forCustomer ?? forTenant).effective.allowedCodeModes,
        defaultMode: env.QDESK_CODE_MODE,
        emailMethods: forTenant.effective.methods,
        mspName: services.mspName,
      }),
    );
  });
}
