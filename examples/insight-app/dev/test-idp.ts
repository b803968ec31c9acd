/**
 * A real OpenID Connect identity provider on a loopback port, for tests and for trying the app's real sign-in by
 * hand. It is `oidc-provider` (the certified Node.js implementation) with a handful of users and clients, its own
 * sign-in and consent pages, an RS256 key made at start, and two test hooks: {@link TestIdp.tamperNextIdToken} and
 * {@link TestIdp.requests}. Development and test code only: no passwords, everything in memory.
 *
 * What a client gets:
 * - discovery at `${issuer}/.well-known/openid-configuration`;
 * - the authorization code flow only, with PKCE (`S256`) required for every client (a request without
 *   `code_challenge` is sent back to the redirect URI with `error=invalid_request`);
 * - confidential clients: `client_secret_basic` or `client_secret_post`, either one for any client;
 * - scopes `openid email profile`; the ID token itself carries `email`, `email_verified` (always true), `name`,
 *   `groups` and `roles` (the last two with `openid`, and only for users that have them: a user without `roles`
 *   gets no `roles` claim, one with `roles: []` an empty list), as does the userinfo endpoint;
 * - ID and access tokens for 1 hour, codes for 1 minute, a sign-in page for 10 minutes, a session for 8 hours.
 *
 * Sign-in behaviour (no consent-skipping surprises): the first authorization in a browser shows the sign-in page,
 * then the consent page. After Allow, the browser has a session and the client a grant for those scopes, so a later
 * authorization for the same client and scopes in the same browser returns at once without any page, as at a real
 * provider. `prompt=login` shows the sign-in page again; `prompt=consent` the consent page; a new browser context
 * (no cookies) starts over. Deny sends the browser to the redirect URI with `error=access_denied&state=...`.
 *
 * @example
 * ```ts
 * const idp = await startTestIdp({
 *   clients: [{ clientId: 'app', clientSecret: 'dev-only', redirectUris: ['http://127.0.0.1:3000/auth/callback'] }],
 *   users: [{ sub: 'tech-1', email: 'tech@msp.example', name: 'A Technician', roles: ['qdesk-technician'] }],
 * });
 * // idp.issuer -> http://127.0.0.1:<port>; sign in through a browser; then:
 * idp.tamperNextIdToken((claims) => ({ ...claims, aud: 'someone-else' }));
 * await idp.close();
 * ```
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { createInteractions } from './test-idp-interactions.js';
import { createSigningKey, type SigningKey } from './test-idp-keys.js';
import { loadOidcProvider } from './test-idp-load.js';
import { parseTestIdpOptions, TestIdpError } from './test-idp-options.js';
import { errorPage, logoutPage, signedOutPage } from './test-idp-pages.js';
import { createMemoryStore } from './test-idp-store.js';

export { TestIdpError };

/** A person who can sign in. `groups` and `roles` become claims of the same names only when given. */
export interface TestIdpUser {
  sub: string;
  email: string;
  name: string;
  groups?: string[];
  roles?: string[];
}

/**
 * A confidential client (web application). Redirect URIs must match exactly; `http` is allowed on loopback hosts
 * (127.0.0.1, localhost, [::1]) only.
 */
export interface TestIdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

/** Who can sign in, to which clients, and where the provider listens (always 127.0.0.1; port 0 = any free port). */
export interface TestIdpOptions {
  clients: TestIdpClient[];
  users: TestIdpUser[];
  port?: number;
  host?: '127.0.0.1';
}

/** A running test identity provider. */
export interface TestIdp {
  /** The issuer identifier, e.g. `http://127.0.0.1:4010` (no trailing slash). */
  issuer: string;
  /**
   * The claims of the next ID token the token endpoint returns are passed through `mutate` and the token re-signed
   * with the provider's own key and `kid` (tests: wrong audience, expired token, wrong nonce, another issuer).
   * One-shot: the token after it is untouched again.
   */
  tamperNextIdToken(mutate: (claims: Record<string, unknown>) => Record<string, unknown>): void;
  /**
   * Requests per endpoint since start, by the provider's route names: always `authorization`, `token`, `userinfo`
   * and `jwks` (0 when none), plus any other route hit (`discovery`, `resume`, `end_session`, ...) and
   * `interaction` for the sign-in and consent pages. A fresh object each call.
   */
  requests(): Record<string, number>;
  /** Stops listening and drops open connections (a browser's keep-alive ones too). */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Starts a test identity provider on 127.0.0.1. Throws {@link TestIdpError} for options it cannot serve (naming the
 * field) or a port already in use.
 */
export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  const { clients, users, port } = parseTestIdpOptions(options);
  const [{ Provider, errors }, key] = await Promise.all([loadOidcProvider(), createSigningKey()]);
  const server = createServer();
  const issuer = `http://${HOST}:${await listen(server, port)}`;

  let provider: InstanceType<typeof Provider>;
  try {
    provider = new Provider(issuer, configuration(clients, users, key));
  } catch (error) {
    await closeServer(server);
    throw error;
  }
  const counts = new Map<string, number>();
  let tamper: ((claims: Record<string, unknown>) => Record<string, unknown>) | undefined;

  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      const route = /^\/interaction\//.test(ctx.path) ? 'interaction' : routeOf(ctx);
      if (route) counts.set(route, (counts.get(route) ?? 0) + 1);
    }
  });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (!tamper || routeOf(ctx) !== 'token' || ctx.status !== 200 || typeof body?.id_token !== 'string')
      return;
    const mutate = tamper;
    tamper = undefined;
    body.id_token = await key.resign(body.id_token, mutate);
  });
  provider.use(createInteractions(provider, users, errors.SessionNotFound));
  // An unexpected failure inside the provider is a bug worth seeing; its expected errors (bad requests) are answered
  // to the client and stay quiet. Only the message and route are printed: never a request or token.
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    console.error(`test IdP: internal error at ${ctx.oidc?.route ?? ctx.path}: ${error.message}`);
  });
  server.on('request', provider.callback());

  return {
    issuer,
    tamperNextIdToken(mutate) {
      tamper = mutate;
    },
    requests() {
      return { authorization: 0, token: 0, userinfo: 0, jwks: 0, ...Object.fromEntries(counts) };
    },
    close: () => closeServer(server),
  };
}

function configuration(clients: readonly TestIdpClient[], users: readonly TestIdpUser[], key: SigningKey) {
  const bySub = new Map(users.map((user) => [user.sub, user]));
  const config: Configuration = {
    adapter: createMemoryStore(),
    jwks: { keys: [key.privateJwk] },
    clients: clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted for it too
      id_token_signed_response_alg: 'RS256',
    })),
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    pkce: { required: () => true },
    scopes: ['openid'], // plus `email` and `profile` from `claims`; no offline_access, so no refresh tokens
    claims: { openid: ['sub', 'groups', 'roles'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false, // scope claims in the ID token itself, not only at userinfo
    async findAccount(_ctx, sub) {
      const user = bySub.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: user.email,
          email_verified: true,
          name: user.name,
          ...(user.groups ? { groups: [...user.groups] } : {}),
          ...(user.roles ? { roles: [...user.roles] } : {}),
        }),
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Over plain http the cookies are not `Secure` (the provider marks them Secure by itself on https); `proxy` stays
    // off, so no X-Forwarded-* header can change what the provider believes about the connection.
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax', secure: false },
      short: { httpOnly: true, sameSite: 'lax', secure: false },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutPage(ctx.host, form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = signedOutPage();
        },
      },
    },
    clientBasedCORS: () => false, // the app calls the token and userinfo endpoints from its server, never a browser
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage('Sign-in error', [out.error, out.error_description].filter(Boolean).join(': '));
    },
  };
  return config;
}

function routeOf(ctx: object): string | undefined {
  return (ctx as { oidc?: { route?: string } }).oidc?.route;
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((cause: NodeJS.ErrnoException) => {
    const why =
      cause.code === 'EADDRINUSE'
        ? 'the port is in use (another test IdP?); stop what listens there or pick another port'
        : cause.message;
    throw new TestIdpError(`The test IdP cannot listen on ${HOST}:${port}: ${why}.`, { cause });
  });
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
