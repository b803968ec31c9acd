import {
  type AuditLog,
  type Clock,
  isQdeskError,
  type PolicyStore,
  type Verifier,
  type WeakerChoice,
} from '@qdesk/core';
import type { DemoCustomer } from '@qdesk/core/memory';
import { type MappingStore, matchByHand } from '@qdesk/matching';
import { actorFor, DEMO_ADMIN } from './staff.js';

// What an administrator of the demo MSP would have done before the first call came in, done at start-up through the
// same audited operations the admin pages use, so the audit trail shows who decided what.

/** The demo's PSA companies and the QDesk customers they are confirmed to be. */
export const DEMO_COMPANY_CUSTOMERS: Readonly<Record<string, string>> = {
  '101': 'cust-northwind',
  '102': 'cust-contoso',
  '103': 'cust-fabrikam',
};

/** The one demo customer that keeps the seed product's weaker flows, and why (each reason is on file). */
export const CONTOSO = 'cust-contoso';
const CONTOSO_ACCEPTANCES: { choice: WeakerChoice; reason: string }[] = [
  {
    choice: 'push',
    reason:
      'Demo: Contoso Dental keeps approve-only push for chair-side staff until its number-match rollout ends.',
  },
  {
    choice: 'email',
    reason:
      'Demo: some Contoso Dental staff (Dev Patel) have no mobile phone on file; email codes reach them.',
  },
  {
    choice: 'email_fallback',
    reason: 'Demo: staff without a mobile phone fall back to an email code when their app cannot be reached.',
  },
  {
    choice: 'compare',
    reason:
      'Demo: technicians may compare a code by eye, as in the seed product, for callers who cannot type.',
  },
];

/** What this would store exists already: stored at an earlier start, or by another instance starting at once. */
const storedAlready = (error: unknown) => isQdeskError(error) && error.code === 'conflict';

/** The demo MSP's customers (the QDesk side of the client companies the PSA knows), those not stored yet. */
export async function seedDemoCustomers(
  store: MappingStore,
  customers: readonly DemoCustomer[],
): Promise<void> {
  for (const { tenantId, ...customer } of customers) {
    await store.createCustomer(tenantId, customer).catch((error: unknown) => {
      if (!storedAlready(error)) throw error;
    });
  }
}

/**
 * Confirms the demo companies' customer links (one confirmed before is kept, and nothing is recorded again). A start
 * from an email with a ticket needs them: the end-user must belong to the customer the ticket's company is linked
 * to, and QDesk cannot know that without a confirmed link.
 */
export async function linkDemoCompanies(
  store: MappingStore,
  audit: AuditLog,
  tenantId: string,
  clock: Clock,
): Promise<void> {
  const actor = actorFor(tenantId, DEMO_ADMIN);
  for (const [companyId, customerId] of Object.entries(DEMO_COMPANY_CUSTOMERS)) {
    await matchByHand({ kind: 'companies', store, audit, actor, at: clock.now(), companyId, customerId });
  }
}

/**
 * The demo tenant runs the NIST SP 800-63B rev 4 defaults; Contoso Dental alone gets a stored layer that turns the
 * weaker choices back on with written risk acceptances, so approve-only push, email codes and compare mode stay
 * demonstrable on its tickets (1003 Chloé, 1004 Dev). Applied at the first start only.
 */
export async function applyDemoPolicies(
  verifier: Verifier,
  policies: PolicyStore,
  tenantId: string,
): Promise<void> {
  // Once: a later start keeps what the demo administrator (or a visitor) set since.
  if (await policies.get(tenantId, CONTOSO)) return;
  const applied = verifier.setPolicy({
    actor: actorFor(tenantId, DEMO_ADMIN),
    customerId: CONTOSO,
    settings: {
      methods: ['number_match', 'push_code', 'sms', 'push', 'email'],
      fallback: ['sms', 'email'],
      allowedCodeModes: ['verify', 'compare'],
    },
    accept: CONTOSO_ACCEPTANCES,
  });
  await applied.catch((error: unknown) => {
    if (!storedAlready(error)) throw error;
  });
}
