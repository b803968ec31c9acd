import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import { layout } from './layout.js';
import type { Security } from './security.js';

// The end-user's self-serve pages: demo sign-in, and the requests waiting for them on this device (the phone they
// hold while their helpdesk is on the line). The header is the end-user's own: no staff link, and a sign-out.

/**
 * What the page may know about the signed-in end-user: a name to greet, and whether a mobile phone is on file (never
 * the number).
 */
export interface SelfServeEndUser {
  displayName: string;
  hasPhone: boolean;
}

/**
 * What "Notifications on this phone" says for each state the browser reports; the page shows the one that applies.
 * `unsupported`: the browser has no notifications at all; `unregistered`: allowed, but the Web Push subscription
 * failed. With notifications off the verifier may fall back to a code by text message: only an end-user with a
 * mobile phone on file is told so, and the words live here, where that is known.
 */
export function deviceStateText(hasPhone: boolean) {
  const stillHere = 'Requests still show on this page while it is open.';
  const fallback = hasPhone
    ? 'Your helpdesk can text a code to your mobile phone instead.'
    : 'Keep this page open while you are on the phone with your helpdesk.';
  return {
    checking: 'Checking whether this browser can alert you…',
    granted: 'Notifications are on: this phone alerts you when your helpdesk sends a request.',
    default: `Notifications are not turned on yet. ${stillHere} Allow them to be alerted when a request arrives.`,
    denied: `Notifications are blocked for this site. ${stillHere} ${fallback} To be alerted, allow notifications for this site in your browser settings.`,
    unsupported: `This browser cannot show notifications. ${stillHere} ${fallback}`,
    unregistered: `Notifications are allowed, but this browser could not sign up for them. ${stillHere}`,
  } as const;
}

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
        <button type="submit" class="primary">Sign in</button>
      </form>`,
    { demo: true, chrome: { kind: 'end-user', signedIn: false }, styles: ['self-serve.css'] },
  );
}

/**
 * Real mode without an end-user session (never signed in, or just signed out): an HTML page, since a phone's
 * browser shows it, saying where to sign in. End-user sign-in belongs to the MSP's portal, not to this app.
 */
export function selfServeSignedOut() {
  return layout(
    'Self-serve',
    html`<h1>You are not signed in</h1>
      <p>Open the self-serve link from your company portal to sign in, then come back to this page while you are on
        the phone with your helpdesk.</p>`,
    { chrome: { kind: 'end-user', signedIn: false }, styles: ['self-serve.css'] },
  );
}

export function selfServePage(user: SelfServeEndUser, demo: boolean) {
  const states = Object.entries(deviceStateText(user.hasPhone));
  return layout(
    'Self-serve',
    html`<h1>Hi ${user.displayName}</h1>
      <section class="requests" aria-labelledby="pending-h">
        <h2 id="pending-h">Requests waiting for you</h2>
        <p class="muted">Only answer while you are on the phone with your helpdesk, and only if you asked them for help.</p>
        <p id="announcer" class="sr" role="status"></p>
        <div id="answer" class="card answer" tabindex="-1" hidden></div>
        <ul id="pending" class="pending" aria-labelledby="pending-h"></ul>
        <p id="none">Looking for requests…</p>
      </section>
      <section class="card device" aria-labelledby="device-h">
        <h2 id="device-h">Notifications on this phone</h2>
        <div id="device-status" tabindex="-1">
          ${states.map(
            ([state, text]) =>
              html`<p data-state="${state}" ${state === 'checking' ? '' : 'hidden'}>${text}</p>`,
          )}
        </div>
        <button type="button" id="enable-push" class="primary" hidden>Allow notifications</button>
      </section>`,
    {
      script: 'self-serve.js',
      styles: ['self-serve.css'],
      demo,
      chrome: { kind: 'end-user', signedIn: true },
    },
  );
}

/**
 * True when the browser says the request comes from this origin, as the app's CSRF middleware decides it (Origin, or
 * Sec-Fetch-Site where the page's no-referrer policy makes Chrome send `Origin: null`). That middleware checks form
 * posts only; sign-out needs no body at all, so a cross-site POST without a form content type is refused here too.
 */
function fromThisOrigin(c: Context): boolean {
  return (
    c.req.header('origin') === new URL(c.req.url).origin || c.req.header('sec-fetch-site') === 'same-origin'
  );
}

export function registerSelfServe(app: Hono, services: AppServices, security: Security) {
  app.get('/self-serve', async (c) => {
    const endUserId = await security.endUser(c);
    const user = endUserId ? await services.directory.getById(services.tenantId, endUserId) : null;
    if (!user) {
      if (!services.demo) return c.html(selfServeSignedOut(), 401);
      return c.html(selfServeSignIn(await services.directory.list(services.tenantId)));
    }
    const endUser = { displayName: user.displayName, hasPhone: Boolean(user.mobilePhone) };
    return c.html(selfServePage(endUser, services.demo));
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

  app.post('/self-serve/sign-out', async (c) => {
    if (!fromThisOrigin(c))
      throw new HTTPException(403, { message: 'Sign out from the self-serve page itself.' });
    await security.signOutEndUser(c);
    return c.redirect('/self-serve', 303);
  });
}
