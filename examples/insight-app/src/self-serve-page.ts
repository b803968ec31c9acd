import type { PendingChallenge } from '@qdesk/core';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import { layout } from './layout.js';
import type { Security } from './security.js';

// The end-user's self-serve pages: demo sign-in, and the requests waiting for them on this device.

export function selfServeSignIn(users: { id: string; displayName: string; email: string }[]) {
  return layout(
    'Self-serve',
    html`<h1>Self-serve sign-in</h1>
      <p>Demo mode: pick who you are.</p>
      <form method="post" action="/self-serve/sign-in" class="card">
        <fieldset><legend>Demo end-users</legend>
          ${users.map(
            (u, i) =>
              html`<label class="method"><input type="radio" name="endUserId" value="${u.id}" ${i === 0 ? 'checked' : ''} /> ${u.displayName} <small>${u.email}</small></label>`,
          )}
        </fieldset>
        <button type="submit">Sign in</button>
      </form>`,
    { demo: true },
  );
}

export function selfServePage(
  user: { displayName: string; email: string },
  pending: PendingChallenge[],
  demo: boolean,
) {
  return layout(
    'Self-serve',
    html`<h1>Hi ${user.displayName}</h1>
      <section class="card" aria-labelledby="device-h">
        <h2 id="device-h">This device</h2>
        <p id="device-status">Checking notifications…</p>
        <button type="button" id="enable-push">Allow notifications</button>
      </section>
      <section aria-labelledby="pending-h">
        <h2 id="pending-h">Requests waiting for you</h2>
        <p class="muted">Only approve if you are on the phone with your helpdesk right now.</p>
        <ul id="pending" class="pending" data-initial="${JSON.stringify(pending.length)}"></ul>
        <p id="none" ${pending.length ? 'hidden' : ''}>Nothing waiting.</p>
        <div id="answer" class="card" hidden aria-live="polite"></div>
      </section>`,
    { script: 'self-serve.js', demo },
  );
}

export function registerSelfServe(app: Hono, services: AppServices, security: Security) {
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
}
