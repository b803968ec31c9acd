import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDemoData } from '@qdesk/core/memory';
import * as oidc from 'openid-client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEV_CUSTOMER_IDS,
  DEV_END_USER_CLIENT,
  DEV_END_USERS,
  DEV_STAFF,
  DEV_TECHNICIAN_CLIENT,
  devIdpEnvironment,
  endUserIdpEntries,
} from '../dev/dev-idp-setup.js';
import { startTestIdp, type TestIdp, TestIdpError, type TestIdpUser } from '../dev/test-idp.js';

// The test identity provider (dev/test-idp.ts) driven the way the app's sign-in will drive it: openid-client v6 on
// the client side, Chromium clicking through the provider's own sign-in and consent pages.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  const message = `\n!!! Browser tests SKIPPED: no Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium\n`;
  if (process.env.CI) throw new Error(message); // CI installs it; a skip there would hide a failure.
  console.warn(message);
}

const WAIT = { timeout: 10_000 };
const CLIENT_ID = 'insight-test';
const SECRET = 'test-only-secret';
const TECHNICIAN: TestIdpUser = {
  sub: 'tech-1',
  email: 'technician@msp.example',
  name: 'A Technician',
  groups: ['helpdesk'],
  roles: ['qdesk-technician'],
};
const NEW_USER: TestIdpUser = { sub: 'user-1', email: 'new.user@customer.example', name: 'A New User' };

let callbacks: Server;
let redirectUri: string;
let signedOutUri: string;
let idp: TestIdp;

beforeAll(async () => {
  // Where the browser lands after the provider: any page will do, the test reads the URL.
  callbacks = createServer((_req, res) => res.end('back at the client'));
  await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', () => resolve()));
  const client = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}`;
  redirectUri = `${client}/auth/callback`;
  signedOutUri = `${client}/signed-out`;
  idp = await startTestIdp({
    clients: [
      {
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        redirectUris: [redirectUri],
        postLogoutRedirectUris: [signedOutUri],
      },
    ],
    users: [TECHNICIAN, NEW_USER],
  });
});

afterAll(async () => {
  await idp?.close();
  await new Promise<void>((resolve) => callbacks?.close(() => resolve()));
});

/** openid-client's configuration for the test client; http is allowed because the issuer is on loopback. */
function discover(
  auth: oidc.ClientAuth = oidc.ClientSecretBasic(SECRET),
  ...execute: ((c: oidc.Configuration) => void)[]
) {
  return oidc.discovery(new URL(idp.issuer), CLIENT_ID, undefined, auth, {
    execute: [oidc.allowInsecureRequests, ...execute],
  });
}

interface Attempt {
  verifier: string;
  state: string;
  nonce: string;
  url: URL;
}

async function authorizationRequest(
  config: oidc.Configuration,
  extra: Record<string, string> = {},
): Promise<Attempt> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { verifier, state, nonce, url };
}

/** Waits for the browser to be back at the client and returns where it landed (code or error in the query). */
async function backAtClient(page: Page): Promise<URL> {
  await page.waitForURL((url) => url.href.startsWith(redirectUri), WAIT);
  return new URL(page.url());
}

function redeem(config: oidc.Configuration, attempt: Attempt, landed: URL, verifier = attempt.verifier) {
  return oidc.authorizationCodeGrant(config, landed, {
    pkceCodeVerifier: verifier,
    expectedState: attempt.state,
    expectedNonce: attempt.nonce,
    idTokenExpected: true,
  });
}

/** Waits (bounded) until the selector shows on the page. */
async function visible(page: Page, selector: string): Promise<void> {
  await page.locator(selector).waitFor({ state: 'visible', ...WAIT });
}

async function signInOnPage(page: Page, email: string): Promise<void> {
  await page.locator('form#login input[name="login"]').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('test identity provider without a browser', () => {
  it('publishes discovery for code + PKCE S256, basic and post client auth, RS256 and the role claims', async () => {
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const meta = (await response.json()) as Record<string, unknown>;
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(meta).toMatchObject({
      issuer: idp.issuer,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
    expect(meta.claims_supported).toEqual(
      expect.arrayContaining(['email', 'email_verified', 'name', 'groups', 'roles']),
    );
  });

  it('publishes one RS256 public key with a kid, and none of its private parts', async () => {
    const jwks = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0]).not.toHaveProperty(part);
  });

  it('refuses an authorization request without a PKCE code_challenge, back at the redirect URI', async () => {
    const config = await discover();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 'no-pkce',
    });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const landed = new URL(response.headers.get('location') ?? '');
    expect(`${landed.origin}${landed.pathname}`).toBe(redirectUri);
    expect(Object.fromEntries(landed.searchParams)).toMatchObject({
      error: 'invalid_request',
      state: 'no-pkce',
    });
    expect(landed.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('answers a sign-in page it has no sign-in for with a page that says to start again', async () => {
    const response = await fetch(`${idp.issuer}/interaction/no-such-sign-in`);
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toContain('Go back to the app and sign in again.');
  });

  it('rejects options it cannot serve, naming each field', async () => {
    const start = (clients: { redirectUris: string[] }[], users: TestIdpUser[]) =>
      startTestIdp({
        clients: clients.map((c, i) => ({ clientId: `c${i}`, clientSecret: 's', ...c })),
        users,
      });
    // http is for loopback redirect URIs only
    await expect(start([{ redirectUris: ['http://app.example/cb'] }], [TECHNICIAN])).rejects.toThrow(
      /must be an https URL, or an http URL on 127\.0\.0\.1.*\n.*at clients\[0\]\.redirectUris\[0\]/,
    );
    const twice = { ...NEW_USER, sub: 'other', email: NEW_USER.email.toUpperCase() };
    const error = await start([{ redirectUris: [redirectUri] }], [NEW_USER, twice]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestIdpError);
    expect((error as Error).message).toMatch(/users\[1\]\.email/);
    await expect(start([], [NEW_USER])).rejects.toThrow(/at least one client/);
  });

  it('says so when its port is taken', async () => {
    const port = Number(new URL(idp.issuer).port);
    const users = [NEW_USER];
    const clients = [{ clientId: 'c', clientSecret: 's', redirectUris: [redirectUri] }];
    await expect(startTestIdp({ clients, users, port })).rejects.toThrow(
      /127\.0\.0\.1:\d+: the port is in use/,
    );
  });
});

describe('the dev identity provider (dev/idp.ts)', () => {
  it('signs in the demo directory end-users by the emails and names the demo data has, for every demo customer', () => {
    const demo = createDemoData();
    expect(DEV_END_USERS.map(({ email, name }) => ({ email, name }))).toEqual(
      demo.endUsers.map((user) => ({ email: user.email, name: user.displayName })),
    );
    expect(DEV_CUSTOMER_IDS).toEqual(demo.customers.map((customer) => customer.id));
  });

  it('prints the environment lines the app reads and writes one end-user IdP entry per demo customer', () => {
    const issuer = 'http://127.0.0.1:4010';
    expect(devIdpEnvironment(issuer, '/tmp/x.json').map((line) => line.split('=')[0])).toEqual([
      'QDESK_OIDC_ISSUER',
      'QDESK_OIDC_CLIENT_ID',
      'QDESK_OIDC_CLIENT_SECRET',
      'QDESK_OIDC_ROLES_CLAIM',
      'QDESK_OIDC_ADMIN_ROLE',
      'QDESK_OIDC_TECHNICIAN_ROLE',
      'QDESK_END_USER_IDP_FILE',
    ]);
    expect(endUserIdpEntries(issuer)).toContainEqual({
      customerId: 'cust-contoso',
      name: 'Contoso Dental',
      issuer,
      clientId: 'qdesk-end-users',
      clientSecret: DEV_END_USER_CLIENT.clientSecret,
    });
    expect(DEV_STAFF.find((user) => user.roles?.includes('qdesk-admin'))?.groups).not.toHaveLength(0);
  });

  it('starts with its clients and users (on any port here)', async () => {
    const dev = await startTestIdp({
      clients: [DEV_TECHNICIAN_CLIENT, DEV_END_USER_CLIENT],
      users: [...DEV_STAFF, ...DEV_END_USERS],
    });
    try {
      const meta = (await (await fetch(`${dev.issuer}/.well-known/openid-configuration`)).json()) as {
        issuer: string;
      };
      expect(meta.issuer).toBe(dev.issuer);
    } finally {
      await dev.close();
    }
  });
});

describe.skipIf(!hasChromium)('test identity provider in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A new browser (no cookies) signed in as `user` through the sign-in and consent pages, with the tokens. */
  async function signedIn(user: TestIdpUser, config?: oidc.Configuration) {
    const client = config ?? (await discover());
    const page = await (await browser.newContext()).newPage();
    const attempt = await authorizationRequest(client);
    await page.goto(attempt.url.href);
    await signInOnPage(page, user.email);
    await page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await redeem(client, attempt, await backAtClient(page));
    return { page, client, tokens };
  }

  /** Another authorization in a browser that is signed in and has consented: no page, straight back with a code. */
  async function silently(
    page: Page,
    config: oidc.Configuration,
  ): Promise<{ attempt: Attempt; landed: URL }> {
    const attempt = await authorizationRequest(config);
    await page.goto(attempt.url.href);
    return { attempt, landed: await backAtClient(page) };
  }

  it('signs a technician in with code + PKCE: sign-in page, consent page, then an ID token with the claims', async () => {
    const client = await discover();
    const page = await (await browser.newContext()).newPage();
    const attempt = await authorizationRequest(client);
    await page.goto(attempt.url.href);
    await visible(page, 'form#login');
    await signInOnPage(page, 'TECHNICIAN@msp.example'); // emails match without case
    await visible(page, 'button[name="decision"][value="deny"]');
    await page.locator('button[name="decision"][value="allow"]').click();
    const tokens = await redeem(client, attempt, await backAtClient(page));

    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: idp.issuer,
      aud: CLIENT_ID,
      sub: TECHNICIAN.sub,
      nonce: attempt.nonce,
      email: TECHNICIAN.email,
      email_verified: true,
      name: TECHNICIAN.name,
      groups: TECHNICIAN.groups,
      roles: TECHNICIAN.roles,
    });
    expect((claims?.exp ?? 0) - (claims?.iat ?? 0)).toBe(3600);
    const userinfo = await oidc.fetchUserInfo(client, tokens.access_token, TECHNICIAN.sub);
    expect(userinfo).toMatchObject({
      email: TECHNICIAN.email,
      name: TECHNICIAN.name,
      roles: TECHNICIAN.roles,
    });
  });

  it('leaves out groups and roles for a user who has none', async () => {
    const { tokens } = await signedIn(NEW_USER);
    expect(tokens.claims()).toMatchObject({ sub: NEW_USER.sub, email: NEW_USER.email, name: NEW_USER.name });
    expect(tokens.claims()).not.toHaveProperty('roles');
    expect(tokens.claims()).not.toHaveProperty('groups');
  });

  it('shows the sign-in page again, with an error, for an email it does not know', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto((await authorizationRequest(await discover())).url.href);
    await signInOnPage(page, 'nobody@example.invalid');
    await visible(page, '[role="alert"]');
    expect(await page.getByRole('alert').textContent()).toContain('nobody@example.invalid');
    await visible(page, 'form#login');
    await signInOnPage(page, NEW_USER.email);
    await visible(page, 'button[name="decision"][value="allow"]');
  });

  it('sends access_denied with the state to the redirect URI when the user clicks Deny', async () => {
    const client = await discover();
    const page = await (await browser.newContext()).newPage();
    const attempt = await authorizationRequest(client);
    await page.goto(attempt.url.href);
    await signInOnPage(page, NEW_USER.email);
    await page.getByRole('button', { name: 'Deny' }).click();
    const landed = await backAtClient(page);
    expect(Object.fromEntries(landed.searchParams)).toMatchObject({
      error: 'access_denied',
      state: attempt.state,
    });
    const error = await redeem(client, attempt, landed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(oidc.AuthorizationResponseError);
    expect(error).toMatchObject({ code: 'OAUTH_AUTHORIZATION_RESPONSE_ERROR', error: 'access_denied' });
  });

  it('returns at once for a second sign-in in the same browser, and shows the sign-in page for prompt=login', async () => {
    const { page, client } = await signedIn(TECHNICIAN);
    const { attempt, landed } = await silently(page, client);
    expect((await redeem(client, attempt, landed)).claims()?.sub).toBe(TECHNICIAN.sub);

    const again = await authorizationRequest(client, { prompt: 'login' });
    await page.goto(again.url.href);
    await visible(page, 'form#login');
  });

  it.each([
    ['another audience', 'aud', (c: Record<string, unknown>) => ({ ...c, aud: 'someone-else' })],
    ['another issuer', 'iss', (c: Record<string, unknown>) => ({ ...c, iss: 'http://127.0.0.1:1' })],
    ['another nonce', 'nonce', (c: Record<string, unknown>) => ({ ...c, nonce: 'not-the-one-sent' })],
  ])(
    'has openid-client reject an ID token with %s (ClientError, claim comparison)',
    async (_name, claim, mutate) => {
      const { page, client } = await signedIn(TECHNICIAN);
      const { attempt, landed } = await silently(page, client);
      idp.tamperNextIdToken(mutate);
      const error = await redeem(client, attempt, landed).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(oidc.ClientError);
      expect(error).toMatchObject({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', cause: { cause: { claim } } });
    },
  );

  it('has openid-client reject an expired ID token (ClientError, timestamp check), and tampers only once', async () => {
    const { page, client } = await signedIn(TECHNICIAN);
    const first = await silently(page, client);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    idp.tamperNextIdToken((claims) => ({ ...claims, iat: hourAgo - 3600, exp: hourAgo }));
    const error = await redeem(client, first.attempt, first.landed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(oidc.ClientError);
    expect(error).toMatchObject({
      code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
      cause: { cause: { claim: 'exp' } },
    });

    const next = await silently(page, client);
    expect((await redeem(client, next.attempt, next.landed)).claims()?.sub).toBe(TECHNICIAN.sub);
  });

  it('re-signs a tampered token with its own key and kid, so a client checking signatures accepts it', async () => {
    const { page, client } = await signedIn(
      TECHNICIAN,
      await discover(undefined, oidc.enableNonRepudiationChecks),
    );
    const { attempt, landed } = await silently(page, client);
    idp.tamperNextIdToken((claims) => ({ ...claims, name: 'Renamed By The Test' }));
    expect((await redeem(client, attempt, landed)).claims()?.name).toBe('Renamed By The Test');
  });

  it('refuses a code redeemed with another PKCE verifier (invalid_grant)', async () => {
    const { page, client } = await signedIn(TECHNICIAN);
    const { attempt, landed } = await silently(page, client);
    const error = await redeem(client, attempt, landed, oidc.randomPKCECodeVerifier()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(oidc.ResponseBodyError);
    expect(error).toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('accepts client_secret_post as well as client_secret_basic, and refuses a wrong secret (invalid_client)', async () => {
    const { page } = await signedIn(TECHNICIAN);
    const post = await discover(oidc.ClientSecretPost(SECRET));
    const viaPost = await silently(page, post);
    expect((await redeem(post, viaPost.attempt, viaPost.landed)).claims()?.sub).toBe(TECHNICIAN.sub);

    const wrong = await discover(oidc.ClientSecretBasic('not-the-secret'));
    const viaWrong = await silently(page, wrong);
    const error = await redeem(wrong, viaWrong.attempt, viaWrong.landed).catch((e: unknown) => e);
    // With client_secret_basic the 401 carries a WWW-Authenticate challenge, so openid-client throws this class.
    expect(error).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    expect(error).toMatchObject({
      status: 401,
      cause: [{ scheme: 'basic', parameters: { error: 'invalid_client' } }],
    });
  });

  it('signs out (RP-initiated logout) and returns to the registered post-logout URI', async () => {
    const { page, client, tokens } = await signedIn(TECHNICIAN);
    const state = oidc.randomState();
    const logout = oidc.buildEndSessionUrl(client, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: signedOutUri,
      state,
    });
    await page.goto(logout.href);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.href.startsWith(signedOutUri), WAIT);
    expect(new URL(page.url()).searchParams.get('state')).toBe(state);

    await page.goto((await authorizationRequest(client)).url.href); // signed out: the sign-in page again
    await visible(page, 'form#login');
  });

  it('counts requests per endpoint', async () => {
    const { page } = await signedIn(TECHNICIAN);
    const client = await discover(undefined, oidc.enableNonRepudiationChecks); // this one fetches the JWKS
    const before = idp.requests();
    const { attempt, landed } = await silently(page, client);
    const tokens = await redeem(client, attempt, landed);
    await oidc.fetchUserInfo(client, tokens.access_token, TECHNICIAN.sub);
    const after = idp.requests();
    const delta = Object.fromEntries(
      Object.keys(after).map((route) => [route, after[route]! - (before[route] ?? 0)]),
    );
    // A silent sign-in: one authorization request, no page; one token request, the key set once, one userinfo call.
    expect(delta).toMatchObject({ authorization: 1, interaction: 0, token: 1, jwks: 1, userinfo: 1 });
  });
});
