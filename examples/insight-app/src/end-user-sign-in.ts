import type { Hono } from 'hono';
import type { AppServices } from './compose.js';
import type { EndUserProvider } from './identity-providers.js';
import type { Security } from './security.js';
import { audit, beginFlow, finishFlow, type SignInKit, signInProblemPage } from './sign-in.js';

// End-users sign in to the self-serve app with their own company's identity provider (one per customer, from
// QDESK_END_USER_IDP_FILE). The ID token's email finds them in the directory, and only among that customer's
// end-users: one customer's identity provider never signs in another customer's people.

export function registerEndUserSignIn(
  app: Hono,
  services: AppServices,
  security: Security,
  kit: SignInKit,
  providers: readonly EndUserProvider[],
) {
  app.get('/self-serve/auth/start', async (c) => {
    const provider = providers.find((p) => p.customerId === c.req.query('customer'));
    if (!provider) {
      return c.html(
        signInProblemPage(
          'expired',
          'Pick your company on the self-serve page; this link names none we know.',
        ),
        404,
      );
    }
    return beginFlow(c, services, kit, provider.party, {
      audience: { kind: 'end_user', customerId: provider.customerId },
      next: '/self-serve',
      handoff: null,
    });
  });

  app.get('/self-serve/auth/callback', async (c) => {
    const finished = await finishFlow(c, services, kit, 'end_user');
    if (finished instanceof Response) return finished;
    const { flow, identity } = finished;
    const customerId = flow.audience.kind === 'end_user' ? flow.audience.customerId : '';
    const user = identity.email
      ? await services.directory.findByEmail(services.tenantId, identity.email)
      : null;
    if (!user || user.customerId !== customerId) {
      await audit(services, {
        action: 'sign_in_refused',
        actor: { type: 'system', id: 'qdesk' },
        result: 'error',
        detail: { kind: 'end_user', reason: identity.email ? 'not_in_directory' : 'no_email', customerId },
      });
      return c.html(
        signInProblemPage(
          'no_account',
          identity.email
            ? `Your helpdesk has no self-serve account for ${identity.email} at this company. Ask them to add you.`
            : 'Your company account gave no email address, so your helpdesk cannot find you. Ask them to check it.',
        ),
        403,
      );
    }
    await audit(services, {
      action: 'end_user_signed_in',
      actor: { type: 'device', id: user.id, name: user.displayName },
      endUserId: user.id,
      result: 'ok',
      detail: { method: 'oidc', customerId },
    });
    await security.signInEndUser(c, user.id);
    return c.redirect('/self-serve', 303);
  });
}
