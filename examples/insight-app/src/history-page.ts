import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import {
  durationText,
  filterRows,
  type HistoryFilters,
  type HistoryWindow,
  methodText,
  outcomeText,
  purposeText,
  readVerifications,
  reasonText,
  technicianText,
  toCsv,
  type VerificationRow,
  weakerText,
} from './history.js';
import { layout, when } from './layout.js';
import { staffChrome } from './pages.js';
import type { Security, Technician } from './security.js';
import { technicianForPage } from './sign-in.js';
import { utc, utcTime } from './time.js';

// History, for a technician looking back and an auditor checking: one row per verification, filters, pages of 25,
// the same rows as CSV, and the Insight panel's JSON (one end-user's latest verifications).

const PAGE_SIZE = 25;

const OUTCOME_CHOICES: [NonNullable<HistoryFilters['outcome']>, string][] = [
  ['approved', 'Verified'],
  ['denied', 'Denied'],
  ['expired', 'Timed out'],
  ['cancelled', 'Cancelled'],
  ['failed', 'Not delivered'],
  ['in_progress', 'In progress'],
];

/** An empty field is no filter. */
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v || undefined);
const day = z
  .union([z.literal(''), z.iso.date('must be a date, YYYY-MM-DD')])
  .optional()
  .transform((v) => v || undefined);
const query = z.object({
  ticket: text(32),
  endUser: text(128),
  endUserId: text(128),
  technician: text(128),
  outcome: z
    .union([z.literal(''), z.enum(['approved', 'denied', 'expired', 'cancelled', 'failed', 'in_progress'])])
    .optional()
    .transform((v) => v || undefined),
  from: day,
  to: day,
  page: z
    .string()
    .regex(/^\d{1,6}$/, 'must be a page number')
    .optional()
    .transform((v) => Math.max(1, Number(v ?? 1))),
});

/** The filters as a query string (only those given), for the pager and the CSV link. */
function search(filters: HistoryFilters, page?: number) {
  const params = new URLSearchParams(
    Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  if (page && page > 1) params.set('page', String(page));
  const s = params.toString();
  return s ? `?${s}` : '';
}

const tone = (r: VerificationRow) => (r.outcome === null ? 'open' : r.outcome === 'approved' ? 'ok' : 'bad');

function row(r: VerificationRow) {
  return html`<tr data-session-id="${r.sessionId}" data-outcome="${r.outcome ?? 'in_progress'}">
    <td data-label="Ticket">${r.ticket?.number ?? r.ticket?.id ?? html`<span class="muted-inline">none</span>`}</td>
    <td data-label="End-user">${r.endUser.known ? r.endUser.name : html`${r.endUser.id} <small>no longer in the directory</small>`}</td>
    <td data-label="Method">${methodText(r)}<small>${purposeText(r)}</small></td>
    <td data-label="Outcome"><span class="result ${tone(r)}">${outcomeText(r)}</span>
      ${when(r.reason && r.reason !== 'approved', () => html`<small>${reasonText(r)}</small>`)}
      ${when(r.weaker.length, () => html`<small class="weaker-used">Weaker choice: ${weakerText(r)}</small>`)}</td>
    <td data-label="Technician">${r.technician.name}${when(r.takenOverBy, () => html`<small>taken over by ${r.takenOverBy!.name}</small>`)}</td>
    <td data-label="Started">${utcTime(r.startedAt)}</td>
    <td data-label="Ended">${r.endedAt === null ? 'in progress' : utcTime(r.endedAt)}</td>
    <td data-label="Duration">${durationText(r)}</td>
  </tr>`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** How far back the rows reach, said plainly: the page reads a bounded window of the audit log. */
function windowNote(w: HistoryWindow, oneEndUser: boolean) {
  const scope = oneEndUser ? ' of this end-user' : '';
  if (w.records < w.limit) return `Read from all ${count(w.records)} audit records${scope}.`;
  const left = w.cutOff
    ? ` ${count(w.cutOff)} verification${w.cutOff === 1 ? '' : 's'} that started before them ${w.cutOff === 1 ? 'is' : 'are'} left out.`
    : '';
  return `Read from the newest ${count(w.limit)} audit records${scope}: older verifications are not shown.${left}`;
}

interface HistoryView {
  rows: VerificationRow[];
  total: number;
  page: number;
  pages: number;
  filters: HistoryFilters;
  window: HistoryWindow;
  /** The end-user the `endUserId` filter names, for the line that says the list is only theirs. */
  only: string | null;
  demo: boolean;
  tech: Technician;
}

function filterForm(f: HistoryFilters) {
  return html`<form method="get" action="/history" class="history-filters" aria-labelledby="filters-h">
    <h2 id="filters-h" class="sr">Filters</h2>
    <label>Ticket number <input name="ticket" value="${f.ticket ?? ''}" maxlength="32" /></label>
    <label>End-user name or email <input name="endUser" value="${f.endUser ?? ''}" maxlength="128" /></label>
    <label>Technician <input name="technician" value="${f.technician ?? ''}" maxlength="128" /></label>
    <label>Outcome <select name="outcome">
      <option value="">Any</option>
      ${OUTCOME_CHOICES.map(([value, label]) => html`<option value="${value}" ${f.outcome === value ? 'selected' : ''}>${label}</option>`)}
    </select></label>
    <label>From (UTC) <input type="date" name="from" value="${f.from ?? ''}" /></label>
    <label>To (UTC) <input type="date" name="to" value="${f.to ?? ''}" /></label>
    ${when(f.endUserId, html`<input type="hidden" name="endUserId" value="${f.endUserId}" />`)}
    <div class="history-actions">
      <button type="submit" class="primary">Filter</button>
      <a href="/history">Clear filters</a>
    </div>
  </form>`;
}

function pager(v: HistoryView) {
  if (v.pages <= 1) return '';
  const link = (page: number, label: string, rel: string) =>
    html`<a href="/history${search(v.filters, page)}" rel="${rel}">${label}</a>`;
  return html`<nav class="pager" aria-label="Pages">
    ${v.page > 1 ? link(v.page - 1, 'Previous', 'prev') : ''}
    <span>Page ${v.page} of ${v.pages}</span>
    ${v.page < v.pages ? link(v.page + 1, 'Next', 'next') : ''}
  </nav>`;
}

export function historyPage(v: HistoryView) {
  const first = (v.page - 1) * PAGE_SIZE + 1;
  const last = first + v.rows.length - 1;
  const { endUserId, ...others } = v.filters;
  return layout(
    'History',
    html`<section class="history">
      <h1>Verification history</h1>
      <p class="muted">One row per verification, newest first. Times are in UTC. ${windowNote(v.window, !!endUserId)}</p>
      ${filterForm(v.filters)}
      ${when(
        v.only,
        () =>
          html`<p class="history-only">Only verifications of <strong>${v.only}</strong>. <a href="/history${search(others)}">Show every end-user</a></p>`,
      )}
      <p class="history-count">
        <span id="history-count">${v.total ? `${count(first)}–${count(last)} of ${count(v.total)} verifications` : 'No verification matches these filters.'}</span>
        <a href="/history.csv${search(v.filters)}" download>Download CSV</a>
      </p>
      ${when(
        v.total,
        () => html`<table class="history-table" aria-describedby="history-count">
          <caption class="sr">Verifications</caption>
          <thead><tr><th scope="col">Ticket</th><th scope="col">End-user</th><th scope="col">Method</th><th scope="col">Outcome</th><th scope="col">Technician</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Duration</th></tr></thead>
          <tbody>${v.rows.map(row)}</tbody>
        </table>`,
      )}
      ${pager(v)}
    </section>`,
    { demo: v.demo, chrome: staffChrome(v.tech), styles: ['history.css'] },
  );
}

/** The rows one end-user's panel shows: what each verification was, in the page's words. Nothing secret. */
const panelRow = (r: VerificationRow) => ({
  ticketNumber: r.ticket?.number ?? null,
  purpose: purposeText(r),
  method: methodText(r),
  outcome: r.outcome ?? 'in_progress',
  outcomeText: outcomeText(r),
  reason: r.reason && r.reason !== 'approved' ? reasonText(r) : null,
  technician: technicianText(r),
  startedAt: r.startedAt,
  startedText: utc(r.startedAt),
  duration: durationText(r),
});

const panelQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a number from 1 to 25')
    .optional()
    .transform((v) => Math.min(25, Math.max(1, Number(v ?? 5)))),
});

export function registerHistory(app: Hono, services: AppServices, security: Security) {
  /** The signed-in technician; `null` after answering with the redirect to sign-in (demo: signed in, reload). */
  async function staffOnly(c: Context) {
    const tech = await technicianForPage(c, services, security);
    const here = c.req.url.slice(new URL(c.req.url).origin.length);
    return { tech, away: services.demo ? here : `/login?next=${encodeURIComponent(here)}` };
  }

  async function matching(filters: HistoryFilters) {
    const read = await readVerifications(services, filters.endUserId ? { endUserId: filters.endUserId } : {});
    return { ...read, rows: filterRows(read.rows, filters) };
  }

  app.get('/history', async (c) => {
    const { tech, away } = await staffOnly(c);
    if (!tech) return c.redirect(away, 303);
    const { page: asked, ...filters } = query.parse(c.req.query());
    const { rows, window } = await matching(filters);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    const page = Math.min(asked, pages);
    const only = filters.endUserId
      ? ((await services.directory.getById(services.tenantId, filters.endUserId))?.displayName ??
        filters.endUserId)
      : null;
    return c.html(
      historyPage({
        rows: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
        total: rows.length,
        page,
        pages,
        filters,
        window,
        only,
        demo: services.demo,
        tech,
      }),
    );
  });

  // Every matching row, not one page: an auditor exports what the filters select.
  app.get('/history.csv', async (c) => {
    const { tech, away } = await staffOnly(c);
    if (!tech) return c.redirect(away, 303);
    const { page: _page, ...filters } = query.parse(c.req.query());
    const { rows } = await matching(filters);
    const day = new Date(services.clock.now()).toISOString().slice(0, 10);
    // The byte order mark lets spreadsheet programs read the names as UTF-8 (Chloé, not ChloÃ©).
    return c.body(`\uFEFF${toCsv(rows)}`, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="qdesk-history-${day}.csv"`,
      'cache-control': 'no-store',
    });
  });

  // Mounted here, after `app.route('/api', …)`: Hono matches each route by its full path, and the API's own
  // middleware covers only its paths (/api/verifications…), so this route sees only its own technician check.
  app.get('/api/history/end-user/:endUserId', security.requireTechnician(), async (c) => {
    const endUserId = z.string().trim().min(1).max(128).parse(c.req.param('endUserId'));
    const { limit } = panelQuery.parse(c.req.query());
    const { rows } = await readVerifications(services, { endUserId });
    const user = await services.directory.getById(services.tenantId, endUserId);
    if (!user && rows.length === 0) {
      return c.json({ error: { code: 'end_user_not_found', message: 'No end-user with that id.' } }, 404);
    }
    return c.json({
      endUser: { id: endUserId, name: user?.displayName ?? endUserId, known: !!user },
      total: rows.length,
      rows: rows.slice(0, limit).map(panelRow),
      historyUrl: `/history${search({ endUserId })}`,
      // The server's clock: "3 min ago" is counted from it, not from the browser's (a test clock in browser tests).
      now: services.clock.now(),
    });
  });
}
