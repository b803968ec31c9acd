import {
  type AuditRecord,
  type Method,
  OUTCOME_REASON_TEXT,
  OUTCOME_TEXT,
  type Outcome,
  type OutcomeReason,
  REVERSE_OUTCOME_TEXT,
  WEAKER_CHOICES,
  type WeakerChoice,
  weakerChoiceText,
} from '@qdesk/core';
import type { AppServices } from './compose.js';
import { METHOD_NAME } from './methods.js';

// Verification history: the audit log read back as one row per verification (a session), in the words of the
// Insight and the ticket note. Pages, the CSV export and the Insight's per-contact panel all read these rows.
//
// Note: history reads a bounded window of the newest records (the log's own end-user filter when one is asked for)
// and says so, rather than walking an unbounded log on every page view. A verification whose start lies before the
// window is left out (and counted), never shown with half its facts.

/** How many of the newest audit records history reads. */
export const HISTORY_WINDOW = 5000;

/** One verification, as the history shows it. Holds no code, token or phone number. */
export interface VerificationRow {
  sessionId: string;
  ticket: { id: string; number: string | null } | null;
  /** `known: false` when the directory no longer has the end-user: `name` is then the id. */
  endUser: { id: string; name: string; email: string | null; known: boolean };
  purpose: 'verify' | 'reverse';
  /** The method that gave the outcome (after fallbacks), or the one in use; `null` when nothing was sent. */
  method: Method | null;
  /** `null` while the verification is in progress. */
  outcome: Outcome | null;
  reason: OutcomeReason | null;
  weaker: WeakerChoice[];
  /** Who started it. */
  technician: { id: string; name: string };
  /** Who took it over last, when someone did. */
  takenOverBy: { id: string; name: string } | null;
  startedAt: number;
  endedAt: number | null;
}

/** What the rows were read from, so a page can say how far back it reaches. */
export interface HistoryWindow {
  /** The window's size. */
  limit: number;
  /** Records read: fewer than `limit` means the whole log. */
  records: number;
  /** Verifications seen in the window whose start lies before it (left out). */
  cutOff: number;
}

const OUTCOMES = new Set<string>(['approved', 'denied', 'expired', 'cancelled', 'failed']);
const isReason = (value: unknown): value is OutcomeReason =>
  typeof value === 'string' && Object.hasOwn(OUTCOME_REASON_TEXT, value);
const isWeaker = (value: string): value is WeakerChoice =>
  (WEAKER_CHOICES as readonly string[]).includes(value);

type Draft = Omit<VerificationRow, 'endUser' | 'startedAt'> & {
  endUserId: string | null;
  startedAt: number | null;
};

/** Folds one record into its session's row. Records arrive newest first, so the first of a kind seen is the latest. */
function fold(row: Draft, r: AuditRecord): void {
  if (r.method && !row.method && row.outcome === null) row.method = r.method;
  row.endUserId ??= r.endUserId;
  if (r.ticketId && !row.ticket) row.ticket = { id: r.ticketId, number: r.ticketNumber };
  switch (r.action) {
    case 'start':
      row.startedAt = r.at;
      row.technician = { id: r.actor.id, name: r.actor.name ?? r.actor.id };
      row.purpose = r.detail?.purpose === 'reverse' ? 'reverse' : 'verify';
      break;
    case 'take_over':
      row.takenOverBy ??= { id: r.actor.id, name: r.actor.name ?? r.actor.id };
      break;
    case 'outcome':
      if (!OUTCOMES.has(r.result)) break;
      row.outcome = r.result as Outcome;
      // The outcome record carries the method that gave it, after any fallback (`null`: nothing was sent).
      row.method = r.method;
      row.endedAt = r.at;
      row.reason = isReason(r.detail?.reason) ? r.detail.reason : null;
      row.weaker = String(r.detail?.weaker ?? '')
        .split(',')
        .filter(isWeaker);
      break;
  }
}

/** What history reads of the directory. */
type Lookup = Pick<AppServices['directory'], 'getById'>;

/**
 * The verifications in the newest {@link HISTORY_WINDOW} audit records of the tenant, newest start first. With
 * `endUserId` the log itself filters, so one end-user's window reaches much further back.
 */
export async function readVerifications(
  services: Pick<AppServices, 'audit' | 'tenantId'> & { directory: Lookup },
  options: { endUserId?: string } = {},
): Promise<{ rows: VerificationRow[]; window: HistoryWindow }> {
  const records = await services.audit.query(services.tenantId, {
    limit: HISTORY_WINDOW,
    ...(options.endUserId ? { endUserId: options.endUserId } : {}),
  });
  const sessions = new Map<string, Draft>();
  for (const r of records) {
    if (!r.sessionId) continue;
    let row = sessions.get(r.sessionId);
    if (!row) {
      row = {
        sessionId: r.sessionId,
        ticket: null,
        endUserId: null,
        purpose: 'verify',
        method: null,
        outcome: null,
        reason: null,
        weaker: [],
        technician: { id: '', name: '' },
        takenOverBy: null,
        startedAt: null,
        endedAt: null,
      };
      sessions.set(r.sessionId, row);
    }
    fold(row, r);
  }
  const complete = [...sessions.values()].filter(
    (s): s is Draft & { startedAt: number; endUserId: string } =>
      s.startedAt !== null && s.endUserId !== null,
  );
  const people = await endUsers(services, new Set(complete.map((s) => s.endUserId)));
  const rows = complete
    .map(({ endUserId, ...s }): VerificationRow => ({ ...s, endUser: people.get(endUserId)! }))
    .sort((a, b) => b.startedAt - a.startedAt);
  return {
    rows,
    window: { limit: HISTORY_WINDOW, records: records.length, cutOff: sessions.size - complete.length },
  };
}

/** One directory read per end-user; one that is gone is shown by id, marked as such. */
async function endUsers(services: { directory: Lookup; tenantId: string }, ids: Set<string>) {
  const found = await Promise.all(
    [...ids].map(async (id) => [id, await services.directory.getById(services.tenantId, id)] as const),
  );
  return new Map(
    found.map(([id, user]) => [
      id,
      user
        ? { id, name: user.displayName, email: user.email, known: true }
        : { id, name: id, email: null, known: false },
    ]),
  );
}

/** The history's filters; each one given must match. Dates are whole UTC days (`YYYY-MM-DD`). */
export interface HistoryFilters {
  ticket?: string;
  /** Part of the end-user's name or email. */
  endUser?: string;
  /** Exactly this end-user (the Insight's panel links with it). */
  endUserId?: string;
  /** Part of the technician's name (who started it or took it over), or their id. */
  technician?: string;
  outcome?: Outcome | 'in_progress';
  from?: string;
  to?: string;
}

const DAY = 24 * 3600_000;
const contains = (value: string | null | undefined, part: string) =>
  !!value && value.toLowerCase().includes(part.toLowerCase());

/** The rows that match every given filter. */
export function filterRows(rows: VerificationRow[], f: HistoryFilters): VerificationRow[] {
  const from = f.from ? Date.parse(`${f.from}T00:00:00Z`) : -Infinity;
  const to = f.to ? Date.parse(`${f.to}T00:00:00Z`) + DAY : Infinity;
  const { ticket, endUser, technician } = f;
  return rows.filter(
    (r) =>
      (!ticket || r.ticket?.id === ticket || contains(r.ticket?.number, ticket)) &&
      (!f.endUserId || r.endUser.id === f.endUserId) &&
      (!endUser || contains(r.endUser.name, endUser) || contains(r.endUser.email, endUser)) &&
      (!technician ||
        [r.technician, r.takenOverBy].some(
          (t) => t && (t.id === technician || contains(t.name, technician)),
        )) &&
      (!f.outcome || (f.outcome === 'in_progress' ? r.outcome === null : r.outcome === f.outcome)) &&
      r.startedAt >= from &&
      r.startedAt < to,
  );
}

// ---- the words a row is read in, shared by the page, the CSV and the Insight's panel

/** `42 s`, `3 min 5 s`, `1 h 2 min`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const min = Math.floor((s % 3600) / 60);
  return min ? `${Math.floor(s / 3600)} h ${min} min` : `${Math.floor(s / 3600)} h`;
}

export const methodText = (r: VerificationRow) => (r.method ? METHOD_NAME[r.method] : 'not sent');
export const purposeText = (r: VerificationRow) => (r.purpose === 'reverse' ? 'technician check' : 'verify');
/** The note's headline, or "In progress". */
export const outcomeText = (r: VerificationRow) =>
  r.outcome ? (r.purpose === 'reverse' ? REVERSE_OUTCOME_TEXT : OUTCOME_TEXT)[r.outcome] : 'In progress';
export const reasonText = (r: VerificationRow) => (r.reason ? OUTCOME_REASON_TEXT[r.reason] : '');
export const weakerText = (r: VerificationRow) => r.weaker.map(weakerChoiceText).join('; ');
export const technicianText = (r: VerificationRow) =>
  r.takenOverBy ? `${r.technician.name}, taken over by ${r.takenOverBy.name}` : r.technician.name;
export const endUserText = (r: VerificationRow) =>
  r.endUser.known ? r.endUser.name : `${r.endUser.id} (no longer in the directory)`;
export const durationText = (r: VerificationRow) =>
  r.endedAt === null ? 'in progress' : duration(r.endedAt - r.startedAt);

// ---- CSV (RFC 4180)

/**
 * One CSV field. A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or CR as a formula, so such a
 * value (an end-user's display name is whatever the directory says) gets a leading `'`; then RFC 4180 quoting.
 */
export function csvField(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

const CSV_COLUMNS: [string, (r: VerificationRow) => string | number][] = [
  ['Ticket', (r) => r.ticket?.number ?? r.ticket?.id ?? ''],
  ['End-user', endUserText],
  ['Purpose', purposeText],
  ['Method', methodText],
  ['Outcome', outcomeText],
  ['Reason', reasonText],
  ['Weaker choices used', weakerText],
  ['Technician', (r) => r.technician.name],
  ['Taken over by', (r) => r.takenOverBy?.name ?? ''],
  ['Started (UTC)', (r) => new Date(r.startedAt).toISOString()],
  ['Ended (UTC)', (r) => (r.endedAt === null ? '' : new Date(r.endedAt).toISOString())],
  ['Duration (s)', (r) => (r.endedAt === null ? '' : Math.round((r.endedAt - r.startedAt) / 1000))],
  // The id the ticket note's `qdesk-session:` line carries: an auditor matches a row to its note by it.
  ['Session', (r) => r.sessionId],
  ['End-user id', (r) => r.endUser.id],
];

/** The rows as CSV: a header row, CRLF line ends (RFC 4180), every field through {@link csvField}. */
export function toCsv(rows: VerificationRow[]): string {
  const lines = [
    CSV_COLUMNS.map(([name]) => name),
    ...rows.map((r) => CSV_COLUMNS.map(([, value]) => value(r))),
  ];
  return `${lines.map((fields) => fields.map(csvField).join(',')).join('\r\n')}\r\n`;
}
