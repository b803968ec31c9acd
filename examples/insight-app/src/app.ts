import { readdirSync, readFileSync } from 'node:fs';
import { createDemoData } from '@qdesk/core/memory';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { createAdminApi, createSyncRunner, createWebhookApi } from './admin.js';
import { createDirectorySourcesApi } from './admin-directory.js';
import { registerAdminPages } from './admin-pages.js';
import { createApi } from './api.js';
import type { AppServices } from './compose.js';
import type { AppEnv } from './config.js';
import { registerEndUserSignIn } from './end-user-sign-in.js';
import { registerEnrolment } from './enrolment.js';
import { toErrorResponse } from './errors.js';
import { registerHistory } from './history-page.js';
import { identityProviders } from './identity-providers.js';
import { registerInsight } from './insight.js';
import { createLiveHub } from './live.js';
import { homePage, outboxPage } from './pages.js';
import { createPolicyApi } from './policy-api.js';
import { registerScim } from './scim.js';
import { AUTOTASK_FRAME_ANCESTORS, createSecurity, securityHeaders } from './security.js';
import { registerSelfServe } from './self-serve-page.js';
import { createSignInKit, registerSignIn, technicianForPage } from './sign-in.js';
import { createSignInsApi } from './sign-ins-api.js';
import { DEMO_TECHNICIAN } from './staff.js';

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
};
// Every file in static/ is served (a page's script or style sheet is added by adding the file).
const staticFiles = new Map(
  readdirSync(new URL('../static/', import.meta.url))
    .filter((name) => TYPES[name.split('.').pop()!])
    .map((name) => [
      name,
      {
        body: readFileSync(new URL(`../static/${name}`, import.meta.url), 'utf8'),
        type: TYPES[name.split('.').pop()!]!,
      },
    ]),
);

const DEMO_TICKETS = createDemoData().tickets.map(({ id, number, title }) => ({ id, number, title }));

/** The largest request body any route takes (the biggest, a bulk confirmation of contact ids, is far smaller). */
export const MAX_BODY_BYTES = 64 * 1024;
/** A PSA webhook's largest body (a contact with every field). */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

/**
 * Requests that authenticate themselves without a browser: PSA webhooks (HMAC), the reset tool and SCIM provisioning
 * (bearer tokens).
 */
const serverToServer = (path: string) =>
  path.startsWith('/webhooks/') || path === '/api/grants/verify' || path.startsWith('/scim/');

/** The reference app: pages and JSON API over the composed services. */
export function createApp(services: AppServices, env: AppEnv) {
  const secureCookies = env.PUBLIC_URL?.startsWith('https://') ?? false;
  const security = createSecurity(services.cookieKey, {
    secureCookies,
    signIns: services.stores.signIns,
    tenantId: services.tenantId,
    now: () => services.clock.now(),
  });
  const providers = identityProviders(env);
  const kit = createSignInKit(services, env, {
    staff: providers.staff,
    endUsers: new Map(providers.endUsers.map((p) => [p.customerId, p.party])),
  });
  const frameAncestors = env.QDESK_FRAME_ANCESTORS ?? AUTOTASK_FRAME_ANCESTORS;
  const live = createLiveHub(services.stores.bus, () => services.clock.now());
  const runner = createSyncRunner(services);
  // Demo mode reads the PSA once at start, so the matching page has data at once.
  if (services.demo) runner.start();
  const app = new Hono();

  app.onError((error, c) => toErrorResponse(error, c));
  app.notFound((c) =>
    c.json({ error: { code: 'http_404', message: `No route for ${c.req.method} ${c.req.path}.` } }, 404),
  );
  // Every body is capped before anything reads it, so an anonymous client cannot make the process buffer megabytes.
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) =>
        c.json(
          { error: { code: 'input_invalid', message: `Body too large: at most ${maxSize / 1024} KiB.` } },
          413,
        ),
    });
  const [pages, webhooks] = [limit(MAX_BODY_BYTES), limit(MAX_WEBHOOK_BYTES)];
  app.use('*', (c, next) => (c.req.path.startsWith('/webhooks/') ? webhooks(c, next) : pages(c, next)));
  // State-changing requests must come from this origin (forms and fetch); the technician API also checks a token.
  // Servers calling in have no Origin: their signature or bearer token authenticates them instead.
  const sameOrigin = csrf();
  app.use('*', (c, next) => (serverToServer(c.req.path) ? next() : sameOrigin(c, next)));
  app.use('*', async (c, next) => {
    await next();
    const framable = c.req.path === '/insight';
    for (const [k, v] of Object.entries(securityHeaders(framable ? `'self' ${frameAncestors}` : "'none'"))) {
      c.res.headers.set(k, v);
    }
    if (!framable) c.res.headers.set('x-frame-options', 'DENY');
  });

  app.get('/static/:name', (c) => {
    const name = c.req.param('name');
    const file = staticFiles.get(name);
    if (!file) throw new HTTPException(404, { message: 'No such file.' });
    return c.body(file.body, 200, { 'content-type': file.type, 'cache-control': 'no-cache' });
  });

  app.get('/favicon.ico', (c) => c.body(null, 204));
  // The service worker is served from the root so its scope covers /self-serve.
  app.get('/sw.js', (c) =>
    c.body(staticFiles.get('sw.js')!.body, 200, {
      'content-type': staticFiles.get('sw.js')!.type,
      'cache-control': 'no-cache',
    }),
  );
  app.get('/healthz', (c) => c.json({ ok: true, demo: services.demo }));

  app.route('/api/admin', createAdminApi(services, security, runner));
  app.route('/api/admin', createDirectorySourcesApi(services, security));
  app.route('/api/admin', createPolicyApi(services, security));
  app.route('/api/admin', createSignInsApi(services, security));
  app.route('/api', createApi(services, security, live));
  app.route('/webhooks', createWebhookApi(services));
  registerScim(app, services, env);

  // ---- technician pages
  registerSignIn(app, services, security, env, kit);
  registerAdminPages(app, services, security);

  app.get('/', async (c) => {
    const tech = await technicianForPage(c, services, security);
    // The demo's tickets are fixed data the Autotask fake is seeded with: listing them needs no PSA request.
    const tickets = services.demo ? DEMO_TICKETS : [];
    // A first demo visit was just signed in as the demo technician: the header already shows who.
    return c.html(homePage(services.demo, tickets, tech ?? (services.demo ? DEMO_TECHNICIAN : null)));
  });

  registerInsight(app, services, security, env, kit);
  registerHistory(app, services, security);

  app.get('/outbox', async (c) => {
    if (!services.outbox)
      return c.json({ error: { code: 'http_404', message: 'The outbox exists in demo mode only.' } }, 404);
    const { sms, email, push } = services.outbox;
    const tech = await security.technician(c);
    return c.html(outboxPage([...sms.messages(), ...email.messages(), ...push.messages()], tech));
  });

  // ---- end-user pages
  registerSelfServe(
    app,
    services,
    security,
    providers.endUsers.map(({ customerId, name }) => ({ customerId, name })),
  );
  registerEndUserSignIn(app, services, security, kit, providers.endUsers);
  registerEnrolment(app, services, security, env);

  app.post('/sign-out', async (c) => {
    await security.signOut(c);
    return c.redirect('/', 303);
  });

  return { app, live, runner };
}
