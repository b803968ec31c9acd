import { Hono } from 'hono';
import { z } from 'zod';
import { readBody, reason } from './body.js';
import type { AppServices } from './compose.js';
import type { Security, Technician } from './security.js';

// An administrator ends someone's sign-ins at once (a technician who left, a lost phone): every session of that
// person on every instance, since they live in the shared store. Audited with who, whose and how many.

const revokeBody = z
  .object({
    kind: z.enum(['technician', 'end_user']),
    subject: z.string().trim().min(1).max(200),
    reason: reason(3),
  })
  .strict();

export function createSignInsApi(services: AppServices, security: Security) {
  const api = new Hono<{ Variables: { technician: Technician } }>();
  api.use('/sign-ins/*', security.requireAdmin());

  api.post('/sign-ins/revoke', async (c) => {
    const { kind, subject, reason } = await readBody(revokeBody, () => c.req.json());
    const admin = c.get('technician');
    const revoked = await services.stores.signIns.revokeAll(services.tenantId, kind, subject);
    await services.audit.append({
      id: `au_signins_${crypto.randomUUID()}`,
      at: services.clock.now(),
      tenantId: services.tenantId,
      sessionId: null,
      action: 'revoke_sign_ins',
      actor: { type: 'technician', id: admin.id, name: admin.name },
      ticketId: null,
      ticketNumber: null,
      endUserId: kind === 'end_user' ? subject : null,
      method: null,
      result: 'ok',
      status: null,
      detail: { kind, subject, revoked, reason },
    });
    return c.json({ revoked });
  });

  return api;
}
