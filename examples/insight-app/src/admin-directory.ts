import { randomUUID } from 'node:crypto';
import type { AuditLog } from '@qdesk/core';
import type { AuditActor } from '@qdesk/core/ports';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import { readBody } from './body.js';
import type { AppServices } from './compose.js';
import type { DirectorySourceStatus, DirectorySyncCounts } from './directory-sync-status.js';
import type { Security, Technician } from './security.js';
import { utc } from './time.js';

// The administrators' view of the directory sources: where each customer's end-users are read from, how the runs
// went, and "Sync now". The words are made here once, for the matching page's section and for the API its script
// polls, so both say the same thing.

const KIND = { entra: 'Microsoft Entra ID', ldap: 'Active Directory (LDAP)' } as const;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `40 created, 2 updated, 1 disabled, 3 skipped (2 no valid email; 1 ...), 500 unchanged`. */
export function countsText(c: DirectorySyncCounts): string {
  const reasons = c.skippedReasons.map((r) => `${r.count} ${r.reason}`).join('; ');
  return (
    `${c.created} created, ${c.updated} updated, ${c.disabled} disabled, ${c.skipped} skipped` +
    `${reasons ? ` (${reasons})` : ''}, ${c.unchanged} unchanged`
  );
}

/** What the page says about one source. */
export interface DirectorySourceWords {
  kind: string;
  schedule: string;
  /** The run under way, or the last run and when the next one is. */
  status: string;
  /** Why the last run failed, or `null`. */
  error: string | null;
  /** What the source read on without (missing permissions). */
  warnings: string[];
}

export function directorySourceWords(s: DirectorySourceStatus, now: number): DirectorySourceWords {
  const schedule = `every ${plural(s.everyMinutes, 'minute')}; everyone again every ${plural(s.fullEveryHours, 'hour')} (numbers without a country code read as ${s.defaultRegion})`;
  const next = s.nextRunAt <= now ? 'Next run: due now.' : `Next run: ${utc(s.nextRunAt)}.`;
  let status: string;
  if (s.running) {
    const p = s.running.progress;
    const where = s.running.here ? '' : ' on another instance';
    status = p
      ? `Syncing${where} (${p.full ? 'full read' : 'changes only'}) since ${utc(s.running.since)}: ${plural(p.pages, 'page')} read, ${countsText(p)}…`
      : `Starting${where} (since ${utc(s.running.since)})…`;
  } else if (s.lastRun) {
    const { counts, error, finishedAt, startedAt } = s.lastRun;
    const seconds = startedAt === null ? null : Math.max(0, Math.round((finishedAt - startedAt) / 1000));
    const what = counts
      ? `${counts.full ? 'full read' : 'changes only'}${seconds === null ? '' : `, ${seconds} s`}: ${countsText(counts)}`
      : seconds === null
        ? ''
        : `after ${seconds} s`;
    status = `${error ? 'Last run failed' : 'Last run'} ${utc(finishedAt)}${what ? ` (${what})` : ''}. ${next}`;
  } else {
    status = `Not synced yet. ${next}`;
  }
  if (!s.running && s.interruptedAt !== null)
    status = `A run started ${utc(s.interruptedAt)} did not finish (its instance stopped); the next run resumes after its last saved page. ${status}`;
  const failure = s.running ? null : (s.lastRun?.error ?? null);
  const error =
    failure === null || /resumes/.test(failure)
      ? failure
      : `${failure} The next run resumes after the last page saved.`;
  return {
    kind: KIND[s.kind],
    schedule,
    status,
    error,
    warnings: (s.running?.progress ?? s.lastRun?.counts)?.warnings ?? [],
  };
}

/** Each source with its customer's name and words, as the page renders and the API returns them. */
export async function directorySourceViews(services: AppServices) {
  const [statuses, customers] = await Promise.all([
    services.directorySync.list(),
    services.mappings.listCustomers(services.tenantId),
  ]);
  const names = new Map(customers.map((c) => [c.id, c.name]));
  const now = services.clock.now();
  return statuses.map((s) => ({
    ...s,
    customerName: names.get(s.customerId) ?? `${s.customerId} (not a QDesk customer)`,
    words: directorySourceWords(s, now),
  }));
}
export type DirectorySourceView = Awaited<ReturnType<typeof directorySourceViews>>[number];

const customerParam = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a customer id (letters, digits, _ and -)');
const syncBody = z.object({ full: z.boolean().optional() }).strict().optional();

type Env = { Variables: { technician: Technician } };

/** `GET /directory-sources` (the page polls it) and `POST /directory-sources/:customerId/sync` ("Sync now"). */
export function createDirectorySourcesApi(services: AppServices, security: Security) {
  const api = new Hono<Env>();
  // A sync decides where codes go (it writes phone numbers): administrators only.
  api.use('/directory-sources', security.requireAdmin());
  api.use('/directory-sources/*', security.requireAdmin());

  api.get('/directory-sources', async (c) => c.json({ sources: await directorySourceViews(services) }));

  api.post('/directory-sources/:customerId/sync', async (c) => {
    const customerId = customerParam.parse(c.req.param('customerId'));
    const body = await readBody(syncBody, async () => {
      const text = await c.req.text();
      return text.trim() ? JSON.parse(text) : undefined;
    });
    const source = services.directorySync.sources.find((s) => s.customerId === customerId);
    if (!source) {
      return c.json(
        {
          error: {
            code: 'not_found',
            message: `No directory source for customer ${customerId}: add one to QDESK_DIRECTORY_SOURCES_FILE and restart.`,
          },
        },
        404,
      );
    }
    const full = body?.full === true;
    const result = await services.directorySync.start(customerId, { full });
    const tech = c.get('technician');
    await auditSyncRequest(services.audit, {
      tenantId: services.tenantId,
      at: services.clock.now(),
      actor: { type: 'technician', id: tech.id, name: tech.name },
      customerId,
      kind: source.kind,
      full,
      result,
    });
    if (result === 'running') {
      return c.json(
        {
          error: {
            code: 'conflict',
            message: `A sync of ${customerId} is running already; it ends on its own, and its progress shows here.`,
          },
        },
        409,
      );
    }
    return c.json({ started: true }, 202);
  });
  return api;
}

/** One source's row: customer, source, schedule, the run (a progress bar while one is under way), "Sync now". */
function sourceRow(v: DirectorySourceView) {
  const id = v.customerId;
  return html`<tr data-customer="${id}" data-running="${String(v.running !== null)}">
    <th scope="row">${v.customerName}<small>${id}</small></th>
    <td data-label="Source">${v.words.kind}</td>
    <td data-label="Schedule">${v.words.schedule}</td>
    <td data-label="Runs">
      <p class="dir-status" id="dir-status-${id}" role="status">${v.words.status}</p>
      <progress id="dir-progress-${id}" aria-labelledby="dir-status-${id}" ${v.running ? '' : 'hidden'}></progress>
      <p class="dir-error" id="dir-error-${id}" ${v.words.error ? '' : 'hidden'}>${v.words.error ?? ''}</p>
      <ul class="dir-warnings" id="dir-warnings-${id}" ${v.words.warnings.length ? '' : 'hidden'}>${v.words.warnings.map((w) => html`<li>${w}</li>`)}</ul>
    </td>
    <td class="row-actions" data-label="Actions">
      <button type="button" data-action="directory-sync" data-customer="${id}" ${v.running ? 'disabled' : ''}>Sync now</button>
    </td>
  </tr>`;
}

/** The "Directory sources" section of the matching page (administrators only, as the page is). */
export function directorySourcesSection(views: readonly DirectorySourceView[]) {
  return html`<section class="card" id="directory-sources" aria-labelledby="directory-h">
    <h2 id="directory-h">Directory sources</h2>
    <p class="muted">Where each customer's end-users are read from, with where their numbers came from. Every change to an end-user is on the audit trail; times are UTC.</p>
    ${
      views.length
        ? html`<table class="directory-sources">
            <thead><tr><th>Customer</th><th>Source</th><th>Schedule</th><th>Runs</th><th>Actions</th></tr></thead>
            <tbody>${views.map(sourceRow)}</tbody>
          </table>
          <p id="directory-message" role="status"></p>`
        : html`<p>No directory source is configured: list each customer's Microsoft Entra ID or Active Directory in the file QDESK_DIRECTORY_SOURCES_FILE names (see the app's README, "Directory sources").</p>`
    }
  </section>`;
}

/** The audit record of someone asking for a run ("Sync now", the CLI): who, which source, and what came of it. */
export function auditSyncRequest(
  audit: Pick<AuditLog, 'append'>,
  request: {
    tenantId: string;
    at: number;
    actor: AuditActor;
    customerId: string;
    kind: 'entra' | 'ldap';
    full: boolean;
    result: 'started' | 'running';
  },
) {
  return audit.append({
    id: `au_dir_request_${randomUUID()}`,
    at: request.at,
    tenantId: request.tenantId,
    sessionId: null,
    action: 'directory_sync_requested',
    actor: request.actor,
    ticketId: null,
    ticketNumber: null,
    endUserId: null,
    customerId: request.customerId,
    method: null,
    result: request.result,
    status: null,
    detail: { source: request.kind, full: request.full },
  });
}
