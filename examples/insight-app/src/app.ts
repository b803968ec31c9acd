import { readFileSync } from 'node:fs';
import type { TicketLookup } from '@qdesk/core';
import { createDemoData } from '@qdesk/core/memory';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { createAdminApi, createSyncRunner, createWebhookApi } from './admin.js';
import { registerAdminPages } from './admin-pages.js';
import { createApi } from './api.js';
import type { AppServices } from './compose.js';
import type { AppEnv } from './config.js';
import { toErrorResponse } from './errors.js';
import { insightPage } from './insight-page.js';
import { createLiveHub } from './live.js';
import { historyPage, homePage, outboxPage, problemOf, selfServePage, selfServeSignIn } from './pages.js';
import { createPolicyApi } from './policy-api.js';
import { AUTOTASK_FRAME_ANCESTORS, createSecurity, securityHeaders } from './security.js';
import { registerSignIn, technicianForPage } from './sign-in.js';
import { actorFor } from './staff.js';

const STATIC: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'insight.js': 'text/javascript; charset=utf-8',
  'self-serve.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'sw.js': 'text/javascript; charset=utf-8',
  'admin.js': 'text/javascript; charset=utf-8',
  'insight-flow.js': 'text/javascript; charset=utf-8',
  'insight-words.js': 'text/javascript; charset=utf-8',
  'policies.js': 'text/javascript; charset=utf-8',
};
const staticFiles = new Map(
  Object.keys(STATIC).map((name) => [
    name,
    readFileSync(new URL(`../static/${name}`, import.meta.url), 'utf8'),
  ]),
);

const DEMO_TICKETS = createDemoData().tickets.map(({ id, number, title }) => ({ id, number, title }));

/** Requests that authenticate themselves without a browser: PSA webhooks (HMAC) and the reset tool (bearer token). */
const serverToServer = (path: string) => path.startsWith('/webhooks/') || path === '/api/grants/verify';

/** The reference app: pages and JSON API over the composed services. */
export function createApp(services: AppServices, env: AppEnv) {
  const secureCookies = env.PUBLIC_URL?.startsWith('https://') ?? false;
  const security = createSecurity(services.cookieKey, { secureCookies });
  const live = createLiveHub(services.verifier);
  const runner = createSyncRunner(services);
  // Demo mode reads the PSA once at start, so the matching page has data at once.
  if (services.demo) runner.start();
  const app = new Hono();

  app.onError((error, c) => toErrorResponse(error, c));
  app.notFound((c) =>
    c.json({ error: { code: 'http_404', message: `No route for ${c.req.method} ${c.req.path}.` } }, 404),
  );
  // State-changing requests must come from this origin (forms and fetch); the technician API also checks a token.
  // Servers calling in have no Origin: their signature or bearer token authenticates them instead.
  const sameOrigin = csrf();
  app.use('*', (c, next) => (serverToServer(c.req.path) ? next() : sameOrigin(c, next)));
  app.use('*', async (c, next) => {
    await next();
    const framable = c.req.path === '/insight';
    for (const [k, v] of Object.entries(securityHeaders(framable ? AUTOTASK_FRAME_ANCESTORS : "'none'"))) {
      c.res.headers.set(k, v);
    }
    if (!framable) c.res.headers.set('x-frame-options', 'DENY');
  });

  app.get('/static/:name', (c) => {
    const name = c.req.param('name');
    const body = staticFiles.get(name);
    if (!body) throw new HTTPException(404, { message: 'No such file.' });
    return c.body(body, 200, { 'content-type': STATIC[name]!, 'cache-control': 'no-cache' });
  });

  app.get('/favicon.ico', (c) => c.body(null, 204));
  // The service worker is served from the root so its scope covers /self-serve.
  app.get('/sw.js', (c) =>
    c.body(staticFiles.get('sw.js')!, 200, { 'content-type': STATIC['sw.js']!, 'cache-control': 'no-cache' }),
  );
  app.get('/healthz', (c) => c.json({ ok: true, demo: services.demo }));

  app.route('/api/admin', createAdminApi(services, security, runner));
  app.route('/api/admin', createPolicyApi(services, security));
  app.route('/api', createApi(services, security, live));
  app.route('/webhooks', createWebhookApi(services));

  // ---- technician pages
  registerSignIn(app, services, security, env);
  registerAdminPages(app, services, security);

  app.get('/', async (c) => {
    await technicianForPage(c, services, security);
    // The demo's tickets are fixed data the Autotask fake is seeded with: listing them needs no PSA request.
    const tickets = services.demo ? DEMO_TICKETS : [];
    return c.html(homePage(services.demo, tickets));
  });

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

  app.get('/history', async (c) => {
    const tech = await security.technician(c);
    if (!tech) return c.redirect('/login?next=/history', 303);
    const q = z
      .object({
        ticket: z.string().max(32).optional(),
        endUser: z.string().max(128).optional(),
        technician: z.string().max(128).optional(),
      })
      .parse(c.req.query());
    const filters = Object.fromEntries(
      Object.entries(q)
        .filter(([, v]) => v?.trim())
        .map(([k, v]) => [k, v!.trim()]),
    );
    let records = await services.audit.query(services.tenantId, {
      limit: 500,
      ...(filters.endUser ? { endUserId: filters.endUser } : {}),
      ...(filters.technician ? { technicianId: filters.technician } : {}),
    });
    if (filters.ticket)
      records = records.filter((r) => r.ticketId === filters.ticket || r.ticketNumber === filters.ticket);
    return c.html(historyPage(records.slice(0, 200), filters, services.demo));
  });

  app.get('/outbox', (c) => {
    if (!services.outbox)
      return c.json({ error: { code: 'http_404', message: 'The outbox exists in demo mode only.' } }, 404);
    const { sms, email, push } = services.outbox;
    return c.html(outboxPage([...sms.messages(), ...email.messages(), ...push.messages()]));
  });

  // ---- end-user pages
  app.get('/self-serve', async (c) => {
    const endUserId = await security.endUser(c);
    const user = endUserId ? await services.directory.getById(services.tenantId, endUserId) : null;
    if (!user) {
      if (!services.demo)
        return c.json({ error: { code: 'http_401', message: 'Sign in through your company portal.' } }, 401);
      return c.html(selfServeSignIn(services.directory.list(services.tenantId)));
    }
    const pending = await services.verifier.pendingChallenges({
      tenantId: services.tenantId,
      endUserId: user.id,
    });
    return c.html(selfServePage(user, pending, services.demo));
  });

  app.post('/self-serve/sign-in', async (c) => {
    if (!services.demo) throw new HTTPException(404, { message: 'Demo sign-in exists in demo mode only.' });
    const form = await c.req.parseBody();
    const endUserId = z.string().max(128).parse(form.endUserId);
    const user = await services.directory.getById(services.tenantId, endUserId);
    if (!user) throw new HTTPException(400, { message: 'Pick one of the demo end-users.' });
    await security.signInEndUser(c, user.id);
    return c.redirect('/self-serve', 303);
  });

  app.post('/sign-out', (c) => {
    security.signOut(c);
    return c.redirect('/', 303);
  });

  return { app, live, runner };
}
