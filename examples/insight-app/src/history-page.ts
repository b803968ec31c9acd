import type { AuditRecord } from '@qdesk/core';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import { layout } from './layout.js';
import type { Security } from './security.js';

// History: what the audit trail says about verifications, for technicians and auditors.

const time = (at: number) => new Date(at).toISOString().replace('T', ' ').slice(0, 19);

export function historyPage(records: AuditRecord[], filters: Record<string, string>, demo: boolean) {
  return layout(
    'History',
    html`<h1>History</h1>
      <form method="get" class="filters">
        <label>Ticket <input name="ticket" value="${filters.ticket ?? ''}" maxlength="32" /></label>
        <label>End-user <input name="endUser" value="${filters.endUser ?? ''}" maxlength="128" /></label>
        <label>Technician <input name="technician" value="${filters.technician ?? ''}" maxlength="128" /></label>
        <button type="submit">Filter</button>
      </form>
      <table>
        <thead><tr><th>Time</th><th>Ticket</th><th>End-user</th><th>Technician</th><th>Method</th><th>Action</th><th>Result</th></tr></thead>
        <tbody>
          ${records.map(
            (r) =>
              html`<tr><td>${time(r.at)}</td><td>${r.ticketNumber ?? ''}</td><td>${r.endUserId ?? ''}</td><td>${r.actor.type === 'technician' ? (r.actor.name ?? r.actor.id) : r.actor.type}</td><td>${r.method ?? ''}</td><td>${r.action}</td><td>${r.result}</td></tr>`,
          )}
        </tbody>
      </table>`,
    { demo },
  );
}

export function registerHistory(app: Hono, services: AppServices, security: Security) {
  app.get('/history', async (c) => {
    const tech = await security.technician(c);
    if (!tech) return c.redirect('/login?next=/history', 303);
    const q = z
      .object({
        ticket: z.string().max(32).optional(),
        endUser: z.string().max(128).optional(),
        technician: z.string().max(128).optional(),
      })
      .parse(c.req.query());
    const filters = Object.fromEntries(
      Object.entries(q)
        .filter(([, v]) => v?.trim())
        .map(([k, v]) => [k, v!.trim()]),
    );
    let records = await services.audit.query(services.tenantId, {
      limit: 500,
      ...(filters.endUser ? { endUserId: filters.endUser } : {}),
      ...(filters.technician ? { technicianId: filters.technician } : {}),
    });
    if (filters.ticket)
      records = records.filter((r) => r.ticketId === filters.ticket || r.ticketNumber === filters.ticket);
    return c.html(historyPage(records.slice(0, 200), filters, services.demo));
  });
}
