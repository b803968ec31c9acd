import { readFileSync } from 'node:fs';
import { createDemoData } from '@qdesk/core/memory';
import { listMatches } from '@qdesk/matching';
import { type Context, Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { createAdminApi, createSyncRunner, createWebhookApi } from './admin.js';
import { adminMatchingPage } from './admin-page.js';
import { createApi } from './api.js';
import type { AppServices } from './compose.js';
import type { AppEnv } from './config.js';
import { toErrorResponse } from './errors.js';
import { createLiveHub } from './live.js';
import {
  historyPage,
  homePage,
  insightPage,
  loginPage,
  outboxPage,
  problemOf,
  selfServePage,
  selfServeSignIn,
} from './pages.js';
import { AUTOTASK_FRAME_ANCESTORS, createSecurity, securityHeaders } from './security.js';

const STATIC: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'insight.js': 'text/javascript; charset=utf-8',
  'self-serve.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'sw.js': 'text/javascript; charset=utf-8',
  'admin.js': 'text/javascript; charset=utf-8',
};
const staticFiles = new Map(
  Object.keys(STATIC).map((name) => [
    name,
    readFileSync(new URL(`../static/${name}`, import.meta.url), 'utf8'),
  ]),
);

const DEMO_TICKETS = createDemoData().tickets.map(({ id, number, title }) => ({ id, number, title }));

const safeNext = (next: unknown) =>
  typeof next === 'string' && /^\/[A-Za-z0-9/_?=&.-]*$/.test(next) ? next : '/';

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
  // PSA webhooks come from a server with no Origin: their HMAC signature authenticates them instead.
  const sameOrigin = csrf();
  app.use('*', (c, next) => (c.req.path.startsWith('/webhooks/') ? next() : sameOrigin(c, next)));
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
  app.route('/api', createApi(services, security, live));
  app.route('/webhooks', createWebhookApi(services));

  // ---- technician pages
  const requireTechnicianPage = async (c: Context) => {
    const tech = await security.technician(c);
    if (tech) return tech;
    if (services.demo) {
      // Demo mode signs the visitor in as the demo technician on first visit.
      await security.signInTechnician(c, 'tech-demo', 'Sam Rivera');
      return null;
    }
    return null;
  };

  app.get('/', async (c) => {
    await requireTechnicianPage(c);
    // The demo's tickets are fixed data the Autotask fake is seeded with: listing them needs no PSA request.
    const tickets = services.demo ? DEMO_TICKETS : [];
    return c.html(homePage(services.demo, tickets));
  });

  app.get('/login', (c) => c.html(loginPage(services.demo, safeNext(c.req.query('next')))));
  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    if (services.demo) {
      await security.signInTechnician(c, 'tech-demo', 'Sam Rivera');
      return c.redirect(next, 303);
    }
    const name = z.string().trim().min(1).max(100).safeParse(form.name);
    const password = typeof form.password === 'string' ? form.password : '';
    const { timingSafeEqual, createHash } = await import('node:crypto');
    const digest = (s: string) => createHash('sha256').update(s).digest();
    if (!name.success || !timingSafeEqual(digest(password), digest(env.QDESK_TECHNICIAN_PASSWORD ?? ''))) {
      return c.html(loginPage(false, next, 'Wrong name or password.'), 401);
    }
    await security.signInTechnician(c, name.data.toLowerCase().replace(/[^a-z0-9]+/g, '-'), name.data);
    return c.redirect(next, 303);
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
    let tech = await security.technician(c);
    if (!tech) {
      if (!services.demo)
        return c.redirect(`/login?next=${encodeURIComponent(`/insight?ticketId=${parsed.data}`)}`, 303);
      await requireTechnicianPage(c);
      return c.redirect(`/insight?ticketId=${parsed.data}`, 303);
    }
    const actor = { tenantId: services.tenantId, technicianId: tech.id, technicianName: tech.name };
    let lookup = null;
    let problem = null;
    try {
      lookup = await services.verifier.lookupTicket({ actor, ticketId: parsed.data });
    } catch (error) {
      problem = problemOf(error);
    }
    tech = tech!;
    return c.html(
      insightPage({
        ticketId: parsed.data,
        lookup,
        problem,
        csrf: security.csrfFor(tech),
        demo: services.demo,
        defaultMode: env.QDESK_CODE_MODE,
      }),
    );
  });

  app.get('/admin/matching', async (c) => {
    const tech = await security.technician(c);
    if (!tech) {
      if (!services.demo) return c.redirect('/login?next=/admin/matching', 303);
      await security.signInTechnician(c, 'tech-demo', 'Sam Rivera');
      return c.redirect('/admin/matching', 303);
    }
    const q = z
      .object({
        tab: z.enum(['companies', 'contacts']).default('companies'),
        filter: z.enum(['suggested', 'all', 'unmatched', 'matched']).default('suggested'),
        search: z.string().trim().max(100).default(''),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      })
      .parse(c.req.query());
    const { mappings: store, tenantId } = services;
    const endUsers = services.directory.list(tenantId);
    const common = {
      store,
      tenantId,
      filter: q.filter,
      offset: q.offset,
      limit: 50,
      ...(q.search ? { search: q.search } : {}),
    };
    const [companies, contacts, customers] = await Promise.all([
      q.tab === 'companies' ? listMatches({ kind: 'companies', ...common }) : Promise.resolve(null),
      q.tab === 'contacts' ? listMatches({ kind: 'contacts', endUsers, ...common }) : Promise.resolve(null),
      store.listCustomers(tenantId),
    ]);
    return c.html(
      adminMatchingPage({
        ...q,
        companies,
        contacts,
        customers,
        endUsers,
        csrf: security.csrfFor(tech),
        demo: services.demo,
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
