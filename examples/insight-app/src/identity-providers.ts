import { z } from 'zod';
import { type AppEnv, EnvError, readConfigFile } from './config.js';
import { createRelyingParty, type RelyingParty } from './oidc.js';

// The identity providers the app signs people in with: the MSP's own for technicians (QDESK_OIDC_*), and one per
// customer for that customer's end-users (QDESK_END_USER_IDP_FILE).

/** The path the MSP registers as the technicians' redirect URI (after PUBLIC_URL). */
export const STAFF_CALLBACK_PATH = '/auth/callback';
/** The path each customer's registration names as the end-users' redirect URI (after PUBLIC_URL). */
export const END_USER_CALLBACK_PATH = '/self-serve/auth/callback';

const endUserIdp = z
  .object({
    customerId: z.string().trim().min(1).max(128),
    /** What the self-serve sign-in button says ("Sign in with <name>"): the customer's name. */
    name: z.string().trim().min(1).max(80).optional(),
    issuer: z.url({ protocol: /^https?$/ }),
    clientId: z.string().trim().min(1),
    clientSecret: z.string().trim().min(1),
  })
  .strict();
const endUserIdpFile = z
  .array(endUserIdp)
  .refine(
    (list) => new Set(list.map((p) => p.customerId)).size === list.length,
    'lists a customer twice: give each customer one identity provider',
  );

/** One customer's identity provider as the self-serve page offers it. */
export interface EndUserProvider {
  customerId: string;
  name: string;
  party: RelyingParty;
}

export interface IdentityProviders {
  staff: RelyingParty | null;
  endUsers: EndUserProvider[];
}

/** Reads the identity provider settings; a bad file or an http issuer off this machine fails start with the fix. */
export function identityProviders(env: AppEnv): IdentityProviders {
  const base = env.PUBLIC_URL?.replace(/\/$/, '');
  const staff =
    env.QDESK_OIDC_ISSUER && env.QDESK_OIDC_CLIENT_ID && env.QDESK_OIDC_CLIENT_SECRET && base
      ? createRelyingParty(
          {
            issuer: env.QDESK_OIDC_ISSUER,
            clientId: env.QDESK_OIDC_CLIENT_ID,
            clientSecret: env.QDESK_OIDC_CLIENT_SECRET,
          },
          `${base}${STAFF_CALLBACK_PATH}`,
        )
      : null;
  if (!env.QDESK_END_USER_IDP_FILE) return { staff, endUsers: [] };
  const file = env.QDESK_END_USER_IDP_FILE;
  if (!base)
    throw new EnvError('Invalid configuration:\n  PUBLIC_URL: is required with QDESK_END_USER_IDP_FILE');
  const parsed = readConfigFile(
    'QDESK_END_USER_IDP_FILE',
    file,
    endUserIdpFile,
    'a JSON list of {customerId, name?, issuer, clientId, clientSecret}',
  );
  const endUsers = parsed.map((p) => {
    const issuer = new URL(p.issuer);
    if (issuer.protocol !== 'https:' && !['127.0.0.1', 'localhost'].includes(issuer.hostname)) {
      throw new EnvError(
        `Invalid configuration:\n  QDESK_END_USER_IDP_FILE: the issuer of customer ${p.customerId} must be https`,
      );
    }
    return {
      customerId: p.customerId,
      name: p.name ?? p.customerId,
      party: createRelyingParty(p, `${base}${END_USER_CALLBACK_PATH}`),
    };
  });
  return { staff, endUsers };
}
