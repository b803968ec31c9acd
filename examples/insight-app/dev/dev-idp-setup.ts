import { createDemoData } from '@qdesk/core/memory';
import type { TestIdpClient, TestIdpUser } from './test-idp.js';

// Who can sign in at the dev identity provider (`dev/idp.ts`) and what the app needs to know about it. The MSP staff
// mirror the demo's staff; the end-users are the demo directory's (same emails and names, so the demo data finds
// them); a test checks the two lists have not drifted apart.

/** The dev identity provider's port on 127.0.0.1. */
export const DEV_IDP_PORT = 4010;

/** Where the app listens in development (`pnpm start`): the redirect URIs point there. */
export const DEV_APP_ORIGIN = 'http://127.0.0.1:3000';

/** Clearly dev-only secrets: this provider runs on loopback, for trying the app; never reuse them anywhere real. */
export const DEV_TECHNICIAN_CLIENT: TestIdpClient = {
  clientId: 'qdesk-technicians',
  clientSecret: 'dev-only-qdesk-technicians-secret',
  redirectUris: [`${DEV_APP_ORIGIN}/auth/callback`],
  postLogoutRedirectUris: [`${DEV_APP_ORIGIN}/`],
};

export const DEV_END_USER_CLIENT: TestIdpClient = {
  clientId: 'qdesk-end-users',
  clientSecret: 'dev-only-qdesk-end-users-secret',
  redirectUris: [`${DEV_APP_ORIGIN}/self-serve/auth/callback`],
  postLogoutRedirectUris: [`${DEV_APP_ORIGIN}/self-serve`],
};

export const ADMIN_ROLE = 'qdesk-admin';
export const TECHNICIAN_ROLE = 'qdesk-technician';

/** The MSP's staff: two technicians, an administrator, and someone with no QDesk role (the app should refuse them). */
export const DEV_STAFF: readonly TestIdpUser[] = [
  {
    sub: 'tech-demo',
    email: 'sam.rivera@qdesk-msp.example',
    name: 'Sam Rivera',
    groups: ['helpdesk'],
    roles: [TECHNICIAN_ROLE],
  },
  {
    sub: 'tech-jo',
    email: 'jo.park@qdesk-msp.example',
    name: 'Jo Park',
    groups: ['helpdesk'],
    roles: [TECHNICIAN_ROLE],
  },
  {
    sub: 'admin-demo',
    email: 'alex.morgan@qdesk-msp.example',
    name: 'Alex Morgan',
    groups: ['helpdesk', 'helpdesk-admins'],
    roles: [ADMIN_ROLE],
  },
  {
    sub: 'staff-no-role',
    email: 'reception@qdesk-msp.example',
    name: 'Reception (no QDesk role)',
    groups: ['front-desk'],
  },
];

/**
 * The demo directory's end-users (core's `createDemoData().endUsers`): their sign-in email and name. The `sub` is
 * the identity provider's own id, deliberately not the directory's end-user id: the app matches on email.
 */
export const DEV_END_USERS: readonly TestIdpUser[] = [
  { sub: 'idp-ana', email: 'ana.silva@northwind.example', name: 'Ana Silva' },
  { sub: 'idp-ben', email: 'ben.okafor@northwind.example', name: 'Ben Okafor' },
  { sub: 'idp-chloe', email: 'Chloe.Martin@contoso-dental.example', name: 'Chloé Martin' },
  { sub: 'idp-dev', email: 'dev.patel@contoso-dental.example', name: 'Dev Patel' },
  { sub: 'idp-eva', email: 'eva.schmidt@fabrikam.example', name: 'Eva Schmidt' },
];

/** The demo customers (core's `createDemoData().customers`); each gets this provider as its end-user IdP. */
export const DEV_CUSTOMER_IDS: readonly string[] = ['cust-northwind', 'cust-contoso', 'cust-fabrikam'];

/** One entry of the file `QDESK_END_USER_IDP_FILE` points at. */
export interface EndUserIdpEntry {
  customerId: string;
  /** The customer's name, for the self-serve page's "Sign in with <name>". */
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** The end-user identity providers of the demo customers: all of them this one provider. */
export function endUserIdpEntries(issuer: string): EndUserIdpEntry[] {
  const { clientId, clientSecret } = DEV_END_USER_CLIENT;
  const names = new Map(createDemoData().customers.map((c) => [c.id, c.name]));
  return DEV_CUSTOMER_IDS.map((customerId) => ({
    customerId,
    name: names.get(customerId) ?? customerId,
    issuer,
    clientId,
    clientSecret,
  }));
}

/** The environment lines the app needs to sign in through this provider, in `.env` form. */
export function devIdpEnvironment(issuer: string, endUserIdpFile: string): string[] {
  return [
    `QDESK_OIDC_ISSUER=${issuer}`,
    `QDESK_OIDC_CLIENT_ID=${DEV_TECHNICIAN_CLIENT.clientId}`,
    `QDESK_OIDC_CLIENT_SECRET=${DEV_TECHNICIAN_CLIENT.clientSecret}`,
    'QDESK_OIDC_ROLES_CLAIM=roles',
    `QDESK_OIDC_ADMIN_ROLE=${ADMIN_ROLE}`,
    `QDESK_OIDC_TECHNICIAN_ROLE=${TECHNICIAN_ROLE}`,
    `QDESK_END_USER_IDP_FILE=${endUserIdpFile}`,
  ];
}
