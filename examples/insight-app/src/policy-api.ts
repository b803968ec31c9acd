import { CONTACT_SOURCES, type ContactSource, METHODS, type Method, type PolicyView } from '@qdesk/core';
import { Hono } from 'hono';
import { z } from 'zod';
import { readBody, reason } from './body.js';
import type { AppServices } from './compose.js';
import type { Security, Technician } from './security.js';
import { actorFor } from './staff.js';

// Administrators' API: each customer's verification policy (and the tenant's default layer), and unlocking an
// end-user after too many failed checks. Core checks the admin role again and audits every change with before and
// after; this layer keeps technicians out early and names customers the admin page can show.

/** The path segment that stands for the tenant's default layer (`customerId: null` in core). */
export const TENANT_LAYER = '_tenant';

const customerParam = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'a customer id, or _tenant for the default of every customer');
const weaker = z.enum(['push', 'email', 'email_fallback', 'compare']);
const methods = z.array(z.enum(METHODS as [Method, ...Method[]])).max(METHODS.length);
const policyBody = z
  .object({
    // The fields an administrator edits here; every other field keeps the layer below's value.
    settings: z
      .object({
        methods: methods.optional(),
        fallback: z
          .array(z.enum(['sms', 'email']))
          .max(2)
          .optional(),
        allowedCodeModes: z
          .array(z.enum(['verify', 'compare']))
          .max(2)
          .optional(),
        codeMode: z.enum(['verify', 'compare']).optional(),
        allowTicketOverride: z.boolean().optional(),
        smsSources: z
          .union([
            z.literal('any'),
            z
              .array(z.enum(CONTACT_SOURCES as [ContactSource, ...ContactSource[]]))
              .min(1)
              .max(5),
          ])
          .optional(),
        newPhoneDays: z.number().int().min(0).max(365).optional(),
      })
      .strict(),
    // One reason per weaker choice turned on: it becomes the recorded risk acceptance, with the admin and the time.
    accept: z
      .array(z.object({ choice: weaker, reason: reason(10, 500) }).strict())
      .max(4)
      .optional(),
    expectedVersion: z.number().int().nonnegative().optional(),
  })
  .strict();
const unlockBody = z.object({ reason: reason(5) }).strict();

type Env = { Variables: { technician: Technician } };

/** One layer as the admin page lists it: whose, what is in force, and what is stored. */
export interface PolicyLayer extends PolicyView {
  name: string;
}

/** The tenant's layer and every customer's, in the order the admin page lists them. */
export async function listPolicyLayers(services: AppServices, tech: Technician): Promise<PolicyLayer[]> {
  const actor = actorFor(services.tenantId, tech);
  const customers = await services.mappings.listCustomers(services.tenantId);
  const named = [
    { id: null, name: 'All customers (tenant default)' },
    ...[...customers].sort((a, b) => a.name.localeCompare(b.name)).map((x) => ({ id: x.id, name: x.name })),
  ];
  return Promise.all(
    named.map(async ({ id, name }) => ({
      name,
      ...(await services.verifier.getPolicy({ actor, customerId: id })),
    })),
  );
}

export function createPolicyApi(services: AppServices, security: Security) {
  const api = new Hono<Env>();
  const { verifier, tenantId } = services;
  for (const path of ['/policies', '/policies/*', '/end-users/*']) api.use(path, security.requireAdmin());

  /** `_tenant` or a customer the tenant holds; `undefined` for an unknown customer. */
  const customerOf = async (raw: string | undefined): Promise<string | null | undefined> => {
    const customerId = customerParam.parse(raw);
    if (customerId === TENANT_LAYER) return null;
    const customers = await services.mappings.listCustomers(tenantId);
    return customers.some((x) => x.id === customerId) ? customerId : undefined;
  };
  const unknownCustomer = {
    error: { code: 'not_found', message: 'Unknown customer; pick one from the admin page.' },
  } as const;

  api.get('/policies', async (c) =>
    c.json({ layers: await listPolicyLayers(services, c.get('technician')) }),
  );

  api.get('/policies/:customerId', async (c) => {
    const customerId = await customerOf(c.req.param('customerId'));
    if (customerId === undefined) return c.json(unknownCustomer, 404);
    const actor = actorFor(tenantId, c.get('technician'));
    return c.json(await verifier.getPolicy({ actor, customerId }));
  });

  api.put('/policies/:customerId', async (c) => {
    const customerId = await customerOf(c.req.param('customerId'));
    if (customerId === undefined) return c.json(unknownCustomer, 404);
    const input = await readBody(policyBody, () => c.req.json());
    const actor = actorFor(tenantId, c.get('technician'));
    // A weaker choice without a reason is refused by core (ConfigError: 400 naming the choice).
    return c.json(await verifier.setPolicy({ actor, customerId, ...input }));
  });

  api.post('/end-users/:id/unlock', async (c) => {
    const endUserId = z.string().trim().min(1).max(128).parse(c.req.param('id'));
    const { reason } = await readBody(unlockBody, () => c.req.json());
    if (!(await services.directory.getById(tenantId, endUserId)))
      return c.json({ error: { code: 'end_user_not_found', message: 'No end-user with that id.' } }, 404);
    const actor = actorFor(tenantId, c.get('technician'));
    return c.json(await verifier.unlockEndUser({ actor, endUserId, reason }));
  });

  return api;
}
