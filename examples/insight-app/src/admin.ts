import { readAutotaskWebhook } from '@qdesk/autotask-adapter';
import { type Actor, isQdeskError } from '@qdesk/core';
import {
  type CrossCustomerLink,
  confirmSuggestions,
  createCustomerFromCompany,
  crossCustomerLinkOf,
  type MatchingSyncProgress,
  type MatchingSyncSummary,
  matchByHand,
  normalizeEmail,
  unmatch,
} from '@qdesk/matching';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import type { Security, Technician } from './security.js';

const id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');
const ids = z.array(id).min(1).max(5000);

/** One matching sync at a time, with its progress for the admin page's progress bar. */
export function createSyncRunner(services: AppServices) {
  let running: Promise<void> | null = null;
  let state: {
    running: boolean;
    progress: MatchingSyncProgress | null;
    summary: MatchingSyncSummary | null;
    error: string | null;
  } = { running: false, progress: null, summary: null, error: null };
  return {
    state: () => state,
    start(): boolean {
      if (running) return false;
      state = { running: true, progress: null, summary: state.summary, error: null };
      running = services.sync
        .run({ onProgress: (progress) => (state = { ...state, progress: { ...progress } }) })
        .then((summary) => {
          state = { ...state, running: false, summary };
        })
        .catch((error: unknown) => {
          // A failed sync keeps its checkpoint: the next run resumes where this one stopped.
          state = {
            ...state,
            running: false,
            error: isQdeskError(error) || error instanceof Error ? error.message : String(error),
          };
        })
        .finally(() => {
          running = null;
        });
      return true;
    },
    /** Resolves when the running sync (if any) has ended. */
    settled: () => running ?? Promise.resolve(),
  };
}
export type SyncRunner = ReturnType<typeof createSyncRunner>;

type Env = { Variables: { technician: Technician } };

/**
 * The admin API behind /admin/matching: sync, confirm suggestions (one or in bulk), match by hand, unmatch. Each call
 * reads what it names (the kept suggestions of the ids posted, one contact, one end-user), never every record.
 */
export function createAdminApi(services: AppServices, security: Security, runner: SyncRunner) {
  const api = new Hono<Env>();
  // Matching decides where codes go: administrators only (core's matching operations check the role too).
  api.use('*', security.requireAdmin());
  const { mappings: store, tenantId, audit } = services;
  const actorOf = (tech: Technician): Actor => ({
    tenantId,
    technicianId: tech.id,
    technicianName: tech.name,
    role: tech.role,
  });

  api.get('/sync', (c) => c.json(runner.state()));
  api.post('/sync', (c) => c.json({ started: runner.start(), ...runner.state() }, 202));

  api.post('/companies/confirm', async (c) => {
    const { companyIds } = z
      .object({ companyIds: ids })
      .strict()
      .parse(await c.req.json().catch(() => null));
    // The suggestions kept for the companies selected (computed over every record when they last changed).
    const { companies: suggestions } = await store.getSuggestions(tenantId, { companyIds });
    const result = await confirmSuggestions({
      kind: 'companies',
      store,
      audit,
      actor: actorOf(c.get('technician')),
      suggestions,
      at: services.clock.now(),
    });
    return c.json({
      confirmed: result.confirmed.length,
      skipped: result.skipped.map((s) => ({ reason: s.reason })),
    });
  });

  api.post('/contacts/confirm', async (c) => {
    const { contactIds } = z
      .object({ contactIds: ids })
      .strict()
      .parse(await c.req.json().catch(() => null));
    const { contacts: suggestions } = await store.getSuggestions(tenantId, { contactIds });
    const result = await confirmSuggestions({
      kind: 'contacts',
      store,
      audit,
      actor: actorOf(c.get('technician')),
      suggestions,
      at: services.clock.now(),
    });
    return c.json({
      confirmed: result.confirmed.length,
      skipped: result.skipped.map((s) => ({ reason: s.reason })),
    });
  });

  // Both sides must exist: a link to a company the last sync did not see, or to an end-user the directory does not
  // have, would lead a ticket nowhere. A contact is one keyed read; companies are a hundredth of the contacts.
  const known = async (kind: 'companies' | 'contacts', recordId: string) =>
    kind === 'contacts'
      ? (await store.findContacts(tenantId, { ids: [recordId] })).length > 0
      : (await store.listCompanies(tenantId)).some((r) => r.id === recordId);
  const notFound = (what: string) =>
    ({ error: { code: 'not_found', message: `Unknown ${what}; run a sync and reload.` } }) as const;

  api.post('/companies/link', async (c) => {
    const body = z
      .object({ companyId: id, customerId: id })
      .strict()
      .parse(await c.req.json().catch(() => null));
    const customers = await store.listCustomers(tenantId);
    if (!(await known('companies', body.companyId)) || !customers.some((x) => x.id === body.customerId))
      return c.json(notFound('company or customer'), 404);
    const actor = actorOf(c.get('technician'));
    const { link } = await matchByHand({
      kind: 'companies',
      store,
      audit,
      actor,
      at: services.clock.now(),
      ...body,
    });
    return c.json({ link });
  });

  /**
   * The end-user an admin named by id, or by email (the page's "another customer" field): the directory's, or a
   * refusal that says what to type instead.
   */
  const endUserNamed = async (by: { endUserId: string } | { endUserEmail: string }) => {
    if ('endUserId' in by) return { endUser: await services.directory.getById(tenantId, by.endUserId) };
    const found = await store.findEndUsers(tenantId, { emails: [normalizeEmail(by.endUserEmail)] });
    if (found.length > 1) {
      const customers = new Map((await store.listCustomers(tenantId)).map((x) => [x.id, x.name]));
      const who = found
        .map(
          (u) => `${u.id} (${u.customerId ? (customers.get(u.customerId) ?? u.customerId) : 'no customer'})`,
        )
        .sort()
        .join(', ');
      return {
        refusal: {
          error: {
            code: 'ambiguous_end_user',
            message: `Several end-users have the email ${by.endUserEmail}: type the id of the one you mean (${who}).`,
          },
        },
      } as const;
    }
    return { endUser: found[0] ? await services.directory.getById(tenantId, found[0].id) : null };
  };

  api.post('/contacts/link', async (c) => {
    const parsed = z
      .object({
        contactId: id,
        endUserId: z.string().trim().min(1).max(128).optional(),
        endUserEmail: z.string().trim().min(3).max(254).optional(),
        // The admin saw the refusal that names both customers and links them anyway (see crossCustomerRefusal).
        confirmCrossCustomer: z.boolean().optional(),
      })
      .strict()
      .refine((b) => (b.endUserId === undefined) !== (b.endUserEmail === undefined), {
        message: 'give endUserId or endUserEmail (one of them)',
        path: ['endUserId'],
      })
      .parse(await c.req.json().catch(() => null));
    const { endUserEmail, endUserId, ...body } = parsed;
    const named = await endUserNamed(
      endUserId === undefined ? { endUserEmail: endUserEmail! } : { endUserId },
    );
    if ('refusal' in named) return c.json(named.refusal, 409);
    const { endUser } = named;
    if (!endUser && endUserEmail !== undefined) {
      const message = `No end-user has the email ${endUserEmail}; check it, or sync the directory and reload.`;
      return c.json({ error: { code: 'not_found', message } }, 404);
    }
    if (!endUser || !(await known('contacts', body.contactId)))
      return c.json(notFound('contact or end-user'), 404);
    const actor = actorOf(c.get('technician'));
    try {
      const { link } = await matchByHand({
        kind: 'contacts',
        store,
        audit,
        actor,
        at: services.clock.now(),
        ...body,
        endUserId: endUser.id,
        endUser,
      });
      return c.json({ link, endUser: { id: endUser.id, name: endUser.displayName } });
    } catch (error) {
      const cross = crossCustomerLinkOf(error);
      if (!cross) throw error;
      return c.json(crossCustomerRefusal(cross), 409);
    }
  });

  api.post('/companies/unlink', async (c) => {
    const { companyId } = z
      .object({ companyId: id })
      .strict()
      .parse(await c.req.json().catch(() => null));
    const actor = actorOf(c.get('technician'));
    const removed = await unmatch({
      kind: 'companies',
      store,
      audit,
      actor,
      at: services.clock.now(),
      companyId,
    });
    return c.json({ removed: removed !== null });
  });

  api.post('/contacts/unlink', async (c) => {
    const { contactId } = z
      .object({ contactId: id })
      .strict()
      .parse(await c.req.json().catch(() => null));
    const actor = actorOf(c.get('technician'));
    const removed = await unmatch({
      kind: 'contacts',
      store,
      audit,
      actor,
      at: services.clock.now(),
      contactId,
    });
    return c.json({ removed: removed !== null });
  });

  api.post('/companies/create-customer', async (c) => {
    const { companyId } = z
      .object({ companyId: id })
      .strict()
      .parse(await c.req.json().catch(() => null));
    if (!(await known('companies', companyId))) return c.json(notFound('company'), 404);
    const actor = actorOf(c.get('technician'));
    return c.json(
      await createCustomerFromCompany({ store, audit, actor, at: services.clock.now(), companyId }),
      201,
    );
  });

  return api;
}

/**
 * The answer to a contact link that crosses customers, unconfirmed: a code of its own (so the page knows to ask),
 * a message that names both sides in the admin's words, and the field that confirms it.
 */
export function crossCustomerRefusal(cross: CrossCustomerLink) {
  const { contact, company, companyCustomer, endUser, endUserCustomer } = cross;
  const works = !companyCustomer
    ? `${contact.name} works at ${company.name} in Autotask, which is not matched to a QDesk customer`
    : companyCustomer.name === company.name
      ? `${contact.name} works at ${company.name} in Autotask`
      : `${contact.name} works at ${company.name} in Autotask (QDesk customer ${companyCustomer.name})`;
  const belongs = endUserCustomer ? `belongs to ${endUserCustomer.name}` : 'belongs to no customer';
  const otherwise = companyCustomer
    ? `choose an end-user of ${companyCustomer.name}`
    : `match ${company.name} to its customer first`;
  return {
    error: {
      code: 'cross_customer_link',
      message:
        `${works}, but ${endUser.name} ${belongs}. A ticket from ${contact.name} would verify ${endUser.name}. ` +
        `Link them anyway only if they are the same person; otherwise ${otherwise}.`,
      link: cross,
      retryWith: { confirmCrossCustomer: true },
    },
  } as const;
}

const ACTIONS: Record<string, 'created' | 'updated' | 'deleted'> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
};

/** Autotask contact webhooks: verified by signature, then applied to the synced contacts (created, updated, deleted). */
export function createWebhookApi(services: AppServices) {
  const api = new Hono();
  api.post('/autotask/contacts', async (c) => {
    if (!services.webhookSecret)
      return c.json({ error: { code: 'http_404', message: 'Webhooks are not configured.' } }, 404);
    // The app caps the body before this reads it (MAX_WEBHOOK_BYTES).
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const payload = readAutotaskWebhook(raw, c.req.header('x-hook-signature'), services.webhookSecret);
    if (payload.EntityType.toLowerCase() !== 'contact') {
      return c.json(
        {
          error: { code: 'input_invalid', message: `Expected a Contact webhook, got ${payload.EntityType}.` },
        },
        400,
      );
    }
    const action = ACTIONS[payload.Action.toLowerCase()];
    if (!action)
      return c.json(
        { error: { code: 'input_invalid', message: `Unknown webhook action ${payload.Action}.` } },
        400,
      );
    const result = await services.sync.applyContactChange({ action, contactId: String(payload.Id) });
    return c.json(result);
  });
  return api;
}
