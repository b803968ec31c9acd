import { readFileSync } from 'node:fs';
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import { type LayoutOptions, layout } from './layout.js';
import type { Security } from './security.js';

// The end-user's self-serve pages: demo sign-in, the sign-in link pages (src/enrolment.ts has their routes), and the
// requests waiting for them on this device (the phone they hold while their helpdesk is on the line), with the
// devices they enrolled. The header is the end-user's own: no staff link, and a sign-out. Every page links the web app
// manifest, so the phone can install the app from any of them.

/** What every self-serve page passes to the layout. */
const selfServe: LayoutOptions = { styles: ['self-serve.css'], manifest: true };

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
      </form>
      <p>Or <a href="/self-serve/enrol">get a sign-in link</a> sent to the phone or email a demo end-user has on file.</p>`,
    { ...selfServe, demo: true, chrome: { kind: 'end-user', signedIn: false } },
  );
}

/** A customer's own identity provider, as the signed-out page offers it ("Sign in with <name>"). */
export interface SelfServeSignInOption {
  customerId: string;
  name: string;
}

/**
 * Real mode without an end-user session (never signed in, or just signed out): an HTML page, since a phone's
 * browser shows it, saying where to sign in: a customer's identity provider where one is configured, the company
 * portal's link, or a sign-in link sent to what is on file.
 */
export function selfServeSignedOut(options: readonly SelfServeSignInOption[] = []) {
  return layout(
    'Self-serve',
    html`<h1>You are not signed in</h1>
      ${
        options.length > 0
          ? html`<ul class="sign-in-options">
              ${options.map(
                (o) =>
                  html`<li><a href="/self-serve/auth/start?customer=${encodeURIComponent(o.customerId)}">Sign in with ${o.name}</a></li>`,
              )}
            </ul>`
          : ''
      }
      <p>Open the self-serve link from your company portal to sign in, then come back to this page while you are on
        the phone with your helpdesk.</p>
      <p>No portal link? <a href="/self-serve/enrol">Get a sign-in link</a> sent to the phone or email your company
        holds for you.</p>`,
    { ...selfServe, chrome: { kind: 'end-user', signedIn: false } },
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
      </section>
      <section class="card devices" aria-labelledby="devices-h">
        <h2 id="devices-h" tabindex="-1">Your devices</h2>
        <p class="muted">Where your helpdesk's requests can reach you. Remove a device you no longer use or do not
          recognise.</p>
        <p id="devices-status" class="sr" role="status"></p>
        <ul id="devices" class="device-list" aria-labelledby="devices-h"></ul>
        <p id="devices-none">Looking for your devices…</p>
      </section>`,
    { ...selfServe, script: 'self-serve.js', demo, chrome: { kind: 'end-user', signedIn: true } },
  );
}

// ---- sign-in links (routes in src/enrolment.ts)

/** What the answer to a sign-in link request says, whether or not the address is on file (no user enumeration). */
export const LINK_ON_ITS_WAY =
  'If this address is on file, a sign-in link is on its way to the phone or email your company holds.';

/** The form asking for a sign-in link: a work email address, and what happens next. `problem` says what to fix. */
export function enrolRequestPage(demo: boolean, problem?: { message: string; email?: string }) {
  return layout(
    'Get a sign-in link',
    html`<h1>Get a sign-in link</h1>
      <p>Type your work email address. If it is on file, a link to sign in goes to the mobile phone your company holds
        for you (by text message), or to that email address when there is no phone. It works once, for 15 minutes.</p>
      <form method="post" action="/self-serve/enrol" class="card enrol" novalidate>
        <label for="enrol-email">Work email address</label>
        <input id="enrol-email" name="email" type="email" autocomplete="email" maxlength="254" required
          value="${problem?.email ?? ''}" ${problem ? html`aria-invalid="true" aria-describedby="enrol-problem"` : ''} />
        ${problem ? html`<p id="enrol-problem" class="error" role="alert">${problem.message}</p>` : ''}
        <button type="submit" class="primary">Send me a link</button>
      </form>`,
    { ...selfServe, demo, chrome: { kind: 'end-user', signedIn: false } },
  );
}

/** The same answer for an address on file and one that is not: what to look for, and what to do if nothing comes. */
export function enrolSentPage(demo: boolean) {
  return layout(
    'Check your phone',
    html`<h1>Check your phone or email</h1>
      <p role="status">${LINK_ON_ITS_WAY}</p>
      <p>Open the link on the phone you will answer your helpdesk on. It works once, for 15 minutes. Nothing after a few
        minutes? Check the address and <a href="/self-serve/enrol">ask again</a>, or call your helpdesk.</p>
      ${demo ? html`<p class="muted">Demo mode: messages are not sent anywhere; the outbox page shows them.</p>` : ''}`,
    { ...selfServe, demo, chrome: { kind: 'end-user', signedIn: false } },
  );
}

/**
 * Opening a link shows this page and uses nothing up: a mail scanner that follows links cannot spend it. The
 * end-user's button press (a POST) signs them in.
 */
export function enrolConfirmPage(token: string, mspName: string, demo: boolean) {
  return layout(
    'Sign in',
    html`<h1>Sign in to your self-serve page</h1>
      <p>This link from ${mspName} signs you in on this browser, so your helpdesk's requests reach you here. Continue
        only if you asked for it.</p>
      <form method="post" action="/self-serve/enrol/${token}" class="card">
        <button type="submit" class="primary">Sign in on this browser</button>
      </form>`,
    { ...selfServe, demo, chrome: { kind: 'end-user', signedIn: false } },
  );
}

/** Why a sign-in link cannot be used, each with what to do. */
export type LinkProblem = 'expired' | 'used' | 'damaged' | 'other_organisation' | 'no_account';

const LINK_PROBLEMS: Record<LinkProblem, { title: string; text: string }> = {
  expired: {
    title: 'This link has expired',
    text: 'Sign-in links work for 15 minutes. Ask for a new one; it takes a moment.',
  },
  used: {
    title: 'This link was used already',
    text: 'Each sign-in link works once. Ask for a new one. If you did not use this one yourself, tell your helpdesk.',
  },
  damaged: {
    title: 'This link is not complete',
    text: 'Part of the link is missing or changed, which happens when a message app breaks a long link over lines. Ask for a new one and open it with a tap.',
  },
  other_organisation: {
    title: 'This link is for another organisation',
    text: 'It was made by another QDesk than this one. Ask for a new link here, or open the self-serve page your helpdesk gave you.',
  },
  no_account: {
    title: 'This account is no longer on file',
    text: 'The link is for an account your company has removed. Ask your helpdesk what to use instead.',
  },
};

/** A link that cannot be used (410 expired or used, 400 otherwise): what happened, and a way to a new one. */
export function enrolProblemPage(problem: LinkProblem, demo: boolean) {
  const { title, text } = LINK_PROBLEMS[problem];
  return layout(
    title,
    html`<h1>${title}</h1>
      <p>${text}</p>
      <p><a href="/self-serve/enrol">Ask for a new sign-in link</a></p>`,
    { ...selfServe, demo, chrome: { kind: 'end-user', signedIn: false } },
  );
}

/** Real mode without PUBLIC_URL: a link would take its address from the request, which an outsider chooses. */
export function enrolUnavailablePage() {
  return layout(
    'Sign-in links are off',
    html`<h1>Sign-in links are not set up</h1>
      <p>This QDesk cannot send sign-in links yet. Open the self-serve link from your company portal, or call your
        helpdesk. (For the administrator: set PUBLIC_URL to the address end-users open, then restart.)</p>`,
    { ...selfServe, chrome: { kind: 'end-user', signedIn: false } },
  );
}

// ---- installable app

/** The theme and background colours the manifest gives, read from static/self-serve.css so they never drift. */
function installColours() {
  const css = readFileSync(new URL('../static/self-serve.css', import.meta.url), 'utf8');
  const colour = (name: string) => {
    const found = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`).exec(css)?.[1];
    if (!found)
      throw new Error(`static/self-serve.css must define --${name} (a #rrggbb colour) for the manifest.`);
    return found;
  };
  return { theme_color: colour('install-theme'), background_color: colour('install-background') };
}

/** The sizes of static/icon-<size>.png (drawn by dev/icons.ts). */
export const APP_ICON_SIZES = [192, 512] as const;

/**
 * The web app manifest: the self-serve page installed as an app (home screen, standalone window). Its scope is the
 * whole origin because the service worker is served from `/sw.js`.
 */
export function selfServeManifest() {
  return {
    id: '/self-serve',
    name: 'QDesk self-serve',
    short_name: 'QDesk',
    description: "Answer your helpdesk's requests to confirm it is you on the phone.",
    start_url: '/self-serve',
    scope: '/',
    display: 'standalone',
    ...installColours(),
    // The mark sits inside the central 80 %, so the same picture also serves as a maskable icon (listed apart, as
    // browsers advise against one entry for both).
    icons: APP_ICON_SIZES.flatMap((size) =>
      (['any', 'maskable'] as const).map((purpose) => ({
        src: `/icons/icon-${size}.png`,
        sizes: `${size}x${size}`,
        type: 'image/png',
        purpose,
      })),
    ),
  };
}

/**
 * True when the browser says the request comes from this origin, as the app's CSRF middleware decides it (Origin, or
 * Sec-Fetch-Site where the page's no-referrer policy makes Chrome send `Origin: null`). That middleware checks form
 * posts only; a sign-out or a device removal needs no body at all, so a cross-site request without a form content
 * type is refused with this.
 */
export function fromThisOrigin(c: Context): boolean {
  return (
    c.req.header('origin') === new URL(c.req.url).origin || c.req.header('sec-fetch-site') === 'same-origin'
  );
}

/**
 * The self-serve pages, the manifest and the icons. `signInOptions`: the customers' identity providers the signed-out
 * page offers (real mode; their routes are registered elsewhere).
 */
export function registerSelfServe(
  app: Hono,
  services: AppServices,
  security: Security,
  signInOptions: readonly SelfServeSignInOption[] = [],
) {
  const manifest = JSON.stringify(selfServeManifest());
  // Read as bytes here: the static route serves text files only.
  const icons = new Map(
    APP_ICON_SIZES.map((size) => [
      `icon-${size}.png`,
      readFileSync(new URL(`../static/icon-${size}.png`, import.meta.url)),
    ]),
  );
  app.get('/manifest.webmanifest', (c) =>
    c.body(manifest, 200, { 'content-type': 'application/manifest+json', 'cache-control': 'no-cache' }),
  );
  app.get('/icons/:name', (c) => {
    const icon = icons.get(c.req.param('name'));
    if (!icon) throw new HTTPException(404, { message: 'No such icon.' });
    return c.body(new Uint8Array(icon), 200, { 'content-type': 'image/png', 'cache-control': 'no-cache' });
  });

  app.get('/self-serve', async (c) => {
    const endUserId = await security.endUser(c);
    const user = endUserId ? await services.directory.getById(services.tenantId, endUserId) : null;
    if (!user) {
      if (!services.demo) return c.html(selfServeSignedOut(signInOptions), 401);
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
