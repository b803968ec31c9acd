import type { IncomingMessage } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { TestIdpUser } from './test-idp.js';
import { consentPage, errorPage, loginPage } from './test-idp-pages.js';

// The sign-in and consent steps of the test identity provider, served inside the provider's own Koa app (its
// `interactions.url` points here): GET /interaction/:uid shows the step the provider asks for, POST
// /interaction/:uid/login signs a user in by email, POST /interaction/:uid/confirm records Allow or Deny.

type Middleware = Parameters<Provider['use']>[0];
type Context = Parameters<Middleware>[0];

/** A form body larger than this is refused: the pages post one short field. */
const MAX_FORM_BYTES = 16 * 1024;

const PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm))?$/;

const EXPIRED =
  'This sign-in is no longer in progress: it expired, it already finished, or this browser lost its cookie. ' +
  'Go back to the app and sign in again.';

class FormTooLarge extends Error {
  override readonly name = 'FormTooLarge';
}

/**
 * The Koa middleware for the interaction pages (`provider.use(createInteractions(...))`). `SessionNotFound` is the
 * provider's error class for an interaction it cannot find, passed in because the provider module is loaded lazily.
 */
export function createInteractions(
  provider: Provider,
  users: readonly TestIdpUser[],
  SessionNotFound: new (...args: never[]) => Error,
): Middleware {
  return async (ctx, next) => {
    const match = PATH.exec(ctx.path);
    if (!match) return next();
    const [, uid, step] = match;
    ctx.set('Cache-Control', 'no-store');
    ctx.set(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    );
    ctx.type = 'html';

    const expected = step === undefined ? 'GET' : 'POST';
    if (ctx.method !== expected) {
      ctx.set('Allow', expected);
      return respond(ctx, 405, errorPage('Method not allowed', `Use ${expected} for ${ctx.path}.`));
    }

    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (error) {
      if (error instanceof SessionNotFound) return respond(ctx, 400, errorPage('Sign-in expired', EXPIRED));
      throw error;
    }
    if (details.uid !== uid) return respond(ctx, 400, errorPage('Sign-in expired', EXPIRED));

    const clientId = String(details.params.client_id);
    const prompt = details.prompt.name;
    const loginHint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
    const signedIn = users.find((user) => user.sub === details.session?.accountId);
    const scopes = stringList(details.prompt.details.missingOIDCScope);
    const claims = stringList(details.prompt.details.missingOIDCClaims);

    if (step === undefined) {
      if (prompt === 'login') return respond(ctx, 200, loginPage({ uid, clientId, users, loginHint }));
      if (prompt === 'consent' && signedIn) {
        return respond(ctx, 200, consentPage({ uid, clientId, user: signedIn, scopes, claims }));
      }
      return respond(ctx, 400, errorPage('Unsupported step', `This provider has no page for "${prompt}".`));
    }

    if (step !== (prompt === 'login' ? 'login' : 'confirm')) {
      return respond(
        ctx,
        400,
        errorPage('Out of step', `This sign-in is at its "${prompt}" step; reload the page.`),
      );
    }
    let form: URLSearchParams;
    try {
      form = await readForm(ctx.req);
    } catch (error) {
      if (error instanceof FormTooLarge) return respond(ctx, 413, errorPage('Form too large', error.message));
      throw error;
    }

    if (step === 'login') {
      const login = (form.get('login') ?? '').trim();
      const user = users.find((candidate) => candidate.email.toLowerCase() === login.toLowerCase());
      if (!user) {
        const error = login
          ? `No user here has the email address ${login}. Use one of the addresses listed below.`
          : 'Enter the email address of one of the users listed below.';
        return respond(ctx, 400, loginPage({ uid, clientId, users, loginHint: login, error }));
      }
      return finish(ctx, provider, { login: { accountId: user.sub } }, false);
    }

    const decision = form.get('decision');
    if (decision === 'deny') {
      const denied = {
        error: 'access_denied',
        error_description: 'The user denied the request on the consent page.',
      };
      return finish(ctx, provider, denied, false);
    }
    if (decision !== 'allow' || !details.session) {
      return respond(ctx, 400, errorPage('No decision', 'Choose Allow or Deny on the consent page.'));
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId });
    if (!grant) return respond(ctx, 400, errorPage('Sign-in expired', EXPIRED));
    if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '));
    if (claims.length > 0) grant.addOIDCClaims(claims);
    const resourceScopes = details.prompt.details.missingResourceScopes;
    if (resourceScopes && typeof resourceScopes === 'object') {
      for (const [indicator, wanted] of Object.entries(resourceScopes)) {
        grant.addResourceScope(indicator, stringList(wanted).join(' '));
      }
    }
    const grantId = await grant.save();
    return finish(ctx, provider, { consent: details.grantId ? {} : { grantId } }, true);
  };
}

function respond(ctx: Context, status: number, html: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = html;
}

/** Records the step's result and sends the browser back to the authorization endpoint (303, so it follows with GET). */
async function finish(
  ctx: Context,
  provider: Provider,
  result: InteractionResults,
  merge: boolean,
): Promise<void> {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: merge,
  });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return new URLSearchParams();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES)
      throw new FormTooLarge(`A form post may carry at most ${MAX_FORM_BYTES} bytes.`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
