import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as client from 'openid-client';

// OpenID Connect sign-in (authorization code + PKCE) against the MSP's identity provider for technicians, and each
// customer's for end-users. The relying party is openid-client: it checks the ID token's issuer, audience, expiry and
// nonce, and the response's state. The app keeps the flow's secrets (state, nonce, PKCE verifier) in an
// encrypted, short-lived cookie bound to the browser that started it, and spends each state once in the shared store.
// openid-client checks the ID token's signature against the provider's published keys too (non-repudiation checks).

/** One identity provider registration: where it is, and the client the MSP registered there for this app. */
export interface OidcProviderSettings {
  /** The issuer URL exactly as the provider's discovery document states it. */
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** Who the identity provider says signed in: the ID token's checked claims. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  /** `email`, or `preferred_username` when that is an address (Microsoft Entra ID's usual shape); `null` when neither. */
  email: string | null;
  /** `name`, else the email, else the subject. */
  name: string;
  claims: Readonly<Record<string, unknown>>;
}

/**
 * Why a sign-in did not complete, in words for the person signing in.
 * - `denied`: the person (or their provider's policy) refused at the identity provider.
 * - `expired`: the sign-in took too long, or the browser no longer holds the flow it started.
 * - `replayed`: this answer was used already (a reloaded or copied callback URL).
 * - `rejected`: the provider's answer failed a check (signature, issuer, audience, expiry, nonce, state).
 * - `unreachable`: the provider could not be reached or its discovery document read.
 */
export type SignInFailure = 'denied' | 'expired' | 'replayed' | 'rejected' | 'unreachable';

export class SignInError extends Error {
  override readonly name = 'SignInError';
  constructor(
    readonly failure: SignInFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Scopes every sign-in asks for: the subject, an email to find the person by, and a name to show. */
const SCOPE = 'openid email profile';

/** A provider on this machine may speak plain http (the local test identity provider); any other must use https. */
export const isLoopbackUrl = (url: URL) =>
  url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A relying party for one provider registration: discovery once (retried after a failure), then code + PKCE. */
export function createRelyingParty(settings: OidcProviderSettings, redirectUri: string) {
  const issuer = new URL(settings.issuer);
  let configuration: Promise<client.Configuration> | null = null;
  const config = () => {
    configuration ??= client
      .discovery(
        issuer,
        settings.clientId,
        { redirect_uris: [redirectUri], response_types: ['code'] },
        client.ClientSecretBasic(settings.clientSecret),
        {
          // The ID token comes straight from the token endpoint; its signature is checked against the provider's
          // published keys as well (openid-client skips that by default).
          execute: [
            ...(isLoopbackUrl(issuer) ? [client.allowInsecureRequests] : []),
            client.enableNonRepudiationChecks,
          ],
          timeout: 10,
        },
      )
      .catch((error: unknown) => {
        configuration = null; // the next sign-in tries again
        throw new SignInError(
          'unreachable',
          `The identity provider at ${issuer.origin} could not be reached; try again in a minute, and if it keeps ` +
            'failing, ask your administrator to check the issuer setting.',
          { cause: error },
        );
      });
    return configuration;
  };

  return {
    issuer: settings.issuer,
    /** The URL to send the browser to, and the secrets to keep until it comes back. */
    async begin(): Promise<{ url: URL; flow: Pick<PendingFlow, 'state' | 'nonce' | 'verifier'> }> {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(await config(), {
        redirect_uri: redirectUri,
        scope: SCOPE,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url, flow: { state, nonce, verifier } };
    },
    /** Exchanges the code from the callback URL and checks the ID token; throws {@link SignInError}. */
    async complete(
      callbackUrl: URL,
      flow: Pick<PendingFlow, 'state' | 'nonce' | 'verifier'>,
    ): Promise<OidcIdentity> {
      const error = callbackUrl.searchParams.get('error');
      if (error === 'access_denied' || error === 'consent_required' || error === 'login_required') {
        throw new SignInError(
          'denied',
          'Sign-in was cancelled at your identity provider; start it again to retry.',
        );
      }
      const cfg = await config();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(cfg, callbackUrl, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
      } catch (cause) {
        throw new SignInError(
          'rejected',
          'Your identity provider answered with a sign-in this app cannot accept' +
            `${error ? ` (${error.slice(0, 60)})` : ''}. Start again; if it keeps failing, ask your administrator to ` +
            'check the client id, secret and redirect URI registered for this app.',
          { cause },
        );
      }
      const claims = tokens.claims();
      if (!claims) throw new SignInError('rejected', 'Your identity provider sent no ID token; start again.');
      const preferred = typeof claims.preferred_username === 'string' ? claims.preferred_username : '';
      const email =
        typeof claims.email === 'string' && EMAIL.test(claims.email)
          ? claims.email.toLowerCase()
          : EMAIL.test(preferred)
            ? preferred.toLowerCase()
            : null;
      const name =
        typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : null;
      return {
        issuer: claims.iss,
        subject: claims.sub,
        email,
        name: name ?? email ?? claims.sub,
        claims,
      };
    },
  };
}

export type RelyingParty = ReturnType<typeof createRelyingParty>;

/**
 * The app's stable id for a person an identity provider vouches for: the issuer and the subject, never a name. The
 * issuer is shortened to a digest so the id fits every store (subjects are at most 255 characters by the spec;
 * Microsoft Entra ID's, Okta's and Google's are far shorter).
 */
export function personId(issuer: string, subject: string): string {
  const tag = createHash('sha256').update(issuer).digest('base64url').slice(0, 12);
  return `oidc:${tag}:${subject}`;
}

/** What the browser holds between leaving for the provider and coming back (encrypted; expires with the flow). */
export interface PendingFlow {
  state: string;
  nonce: string;
  verifier: string;
  /** Who is signing in and where to: the technician sign-in, or one customer's end-users. */
  audience: { kind: 'technician' } | { kind: 'end_user'; customerId: string };
  /** Where to go afterwards (a same-origin path). */
  next: string;
  /** A sign-in started from the framed Insight: the secret its frame will claim the sign-in with. */
  handoff: string | null;
  expiresAt: number;
}

/** How long a person has at their identity provider before the flow is forgotten. */
export const FLOW_LIFETIME_MS = 10 * 60_000;

/**
 * The flow cookie: AES-256-GCM under a key of its own (derived from the app's cookie key), so its secrets are
 * neither readable nor forgeable, and `SameSite=Lax` so the provider's top-level redirect back carries it.
 */
export function createFlowCookie(cookieKey: string, secure: boolean) {
  const key = createHmac('sha256', cookieKey).update('cookie:oidc-flow').digest();
  const name = secure ? '__Host-qd_flow' : 'qd_flow';
  const options = {
    httpOnly: true,
    path: '/',
    sameSite: 'Lax' as const,
    secure,
    maxAge: FLOW_LIFETIME_MS / 1000,
  };
  return {
    write(c: Context, flow: PendingFlow) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(flow), 'utf8'), cipher.final()]);
      const value = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
      setCookie(c, name, value, options);
    },
    /** The flow this browser started, or `null` (none, tampered, or expired at `now`). Reading clears the cookie. */
    take(c: Context, now: number): PendingFlow | null {
      const raw = getCookie(c, name);
      deleteCookie(c, name, options);
      if (!raw) return null;
      try {
        const bytes = Buffer.from(raw, 'base64url');
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
        decipher.setAuthTag(bytes.subarray(12, 28));
        const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
        const flow = JSON.parse(text) as PendingFlow;
        return flow.expiresAt > now ? flow : null;
      } catch {
        return null;
      }
    },
  };
}
