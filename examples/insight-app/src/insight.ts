import type { TicketLookup } from '@qdesk/core';
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import type { AppEnv } from './config.js';
import { insightPage, insightProblemPage } from './insight-page.js';
import { type Chrome, layout } from './layout.js';
import { problemOf, staffChrome } from './pages.js';
import type { Security, Technician } from './security.js';
import { type SignInKit, technicianForPage } from './sign-in.js';
import { actorFor } from './staff.js';

// The Insight route: the page a PSA ticket embeds, for the ticket's id. Autotask opens a vendor Insight with its own
// parameters (`entityid` is the ticket, `resourceid` the Autotask user); a LiveLink or a bookmark says `ticketId`.
// Autotask also adds a `signature` whose scheme it does not publish, so nothing here trusts the launch parameters to
// say who is looking: the technician's own sign-in does.

const ticketIdParam = z
  .string()
  .trim()
  .regex(/^\d{1,12}$/);

/**
 * Inside a PSA's ticket panel the page drops the app header: the panel is the frame, and 300-400 px cannot spare the
 * header's height or its Tab stops. Embedded when the link says so (`embedded=1`), when Autotask opens it (its
 * Insight adds `entityid`), or when the browser says the page loads in a frame.
 */
function chromeFor(c: Context, tech: Technician | null): Chrome {
  const embedded =
    c.req.query('embedded') === '1' ||
    c.req.query('entityid') !== undefined ||
    c.req.header('sec-fetch-dest') === 'iframe';
  return embedded ? { kind: 'embedded' } : staffChrome(tech);
}

/**
 * The framed Insight before sign-in. The identity provider refuses to be framed, so the button opens it in a
 * pop-up; the frame then claims the pop-up's sign-in with a secret only it holds (static/insight-sign-in.js).
 */
function insightSignInPage(provider: string) {
  return layout(
    'Sign in',
    html`<h1>Verify the caller</h1>
      <p>Sign in to verify this ticket's caller.</p>
      <p><button type="button" class="primary" id="sign-in">Sign in with ${provider}</button></p>
      <p id="sign-in-status" role="status"></p>`,
    { script: 'insight-sign-in.js', chrome: { kind: 'embedded' } },
  );
}

export function registerInsight(
  app: Hono,
  services: AppServices,
  security: Security,
  env: AppEnv,
  kit: SignInKit,
) {
  app.get('/insight', async (c) => {
    // The page shows the ticket's verification as it is now: Back must ask again, never show a copy from before SEND.
    c.header('cache-control', 'no-store');
    const given = c.req.query('ticketId') ?? c.req.query('entityid');
    const parsed = ticketIdParam.safeParse(given);
    if (!parsed.success) {
      const tech = await security.technician(c);
      return c.html(insightProblemPage(given, chromeFor(c, tech), services.demo), 400);
    }
    const tech = await technicianForPage(c, services, security);
    if (!tech) {
      const embedded = chromeFor(c, null).kind === 'embedded';
      const here = `/insight?ticketId=${parsed.data}${embedded ? '&embedded=1' : ''}`;
      if (services.demo) return c.redirect(here, 303);
      // In a frame the sign-in page (and the identity provider's) would refuse to show: sign in through a pop-up.
      if (embedded && kit.staff) return c.html(insightSignInPage(env.QDESK_OIDC_NAME), 401);
      return c.redirect(`/login?next=${encodeURIComponent(here)}`, 303);
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
        chrome: chromeFor(c, tech),
        now: services.clock.now(),
      }),
    );
  });
}
