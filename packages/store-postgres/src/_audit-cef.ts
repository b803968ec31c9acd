/** One audit record as an ArcSight Common Event Format (CEF) line, for syslog and SIEM ingestion. */
import type { AuditRecord } from '@qdesk/core';
import { canonicalJson } from './audit-canonical.js';

// CEF escaping: in the header, `\` and `|`; in extension values, `\` and `=`, and line breaks as `\n` / `\r`. The
// header cannot carry a line break at all, so one becomes a space there.
const headerField = (text: string) =>
  text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
const extensionValue = (text: string) =>
  text.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

const NAMES: Record<string, string> = {
  start: 'Verification started',
  send: 'Code sent',
  fall_back: 'Fell back to another method',
  delivery_failed: 'Delivery failed',
  delivery_report: 'Delivery report received',
  check_code: 'Code checked',
  approve: 'Verification approved',
  deny: 'Verification denied',
  cancel: 'Verification cancelled',
  device_answer: 'Device answered',
  expire: 'Verification expired',
  outcome: 'Verification outcome',
  write_note: 'Note written on the ticket',
  supersede: 'Verification superseded',
  take_over: 'Verification taken over',
  policy_change: 'Policy changed',
  unlock: 'End-user unlocked',
  grant_issued: 'Grant issued',
  grant_used: 'Grant used',
  grant_refused: 'Grant refused',
};

const ADMIN_ACTIONS = new Set(['policy_change', 'unlock', 'take_over', 'supersede', 'link_contact']);

/**
 * CEF severity (0 to 10): 8 for a denial, a lock or a refused grant; 6 for a failure (an error, a failed delivery or
 * session); 5 for an admin change or a wrong code; 4 for an expiry; 3 for everything else.
 */
export function cefSeverity(record: AuditRecord): number {
  const outcome = [record.result, record.status];
  if (
    record.action === 'deny' ||
    record.action === 'grant_refused' ||
    outcome.includes('denied') ||
    outcome.includes('locked') ||
    record.detail?.locked === true
  ) {
    return 8;
  }
  if (outcome.includes('error') || outcome.includes('failed') || record.action === 'delivery_failed')
    return 6;
  if (ADMIN_ACTIONS.has(record.action) || typeof record.detail?.error === 'string') return 5;
  if (record.action === 'expire' || outcome.includes('expired')) return 4;
  return 3;
}

/** Where a record sits in its chain, for the line. */
export interface CefChainPlace {
  seq: number;
  /** The record's hash, hex. */
  hash: string;
}

/** The CEF line of one record (no line break at the end). */
export function cefLine(record: AuditRecord, place: CefChainPlace, deviceVersion: string): string {
  const name =
    record.action === 'outcome'
      ? `Verification outcome: ${record.result}`
      : (NAMES[record.action] ?? record.action);
  const header = ['CEF:0', 'QDesk', 'QDesk', deviceVersion, record.action, name, String(cefSeverity(record))]
    .map((field, i) => (i === 0 ? field : headerField(field)))
    .join('|');
  const ticket = record.ticketNumber ?? record.ticketId;
  const who = record.actor.name ?? record.actor.id;
  const pairs: [string, string | number | null | undefined][] = [
    ['rt', record.at],
    ['externalId', record.id],
    ['deviceExternalId', record.tenantId],
    ['act', record.action],
    ['outcome', record.result],
    ['cat', record.actor.type],
    ['suid', record.actor.id],
    ['suser', record.actor.name],
    ['duid', record.endUserId],
    [
      'msg',
      `${name} by ${record.actor.type} ${who}${ticket ? ` on ticket ${ticket}` : ''}: ${record.result}`,
    ],
    ['cs1Label', record.ticketId === null ? null : 'ticketId'],
    ['cs1', record.ticketId],
    ['cs2Label', record.ticketNumber === null ? null : 'ticketNumber'],
    ['cs2', record.ticketNumber],
    ['cs3Label', record.sessionId === null ? null : 'sessionId'],
    ['cs3', record.sessionId],
    ['cs4Label', record.customerId == null ? null : 'customerId'],
    ['cs4', record.customerId],
    ['cs5Label', record.detail === undefined ? null : 'detail'],
    ['cs5', record.detail === undefined ? null : canonicalJson(record.detail)],
    ['cs6Label', 'recordHash'],
    ['cs6', place.hash],
    ['cn1Label', 'chainSeq'],
    ['cn1', place.seq],
    ['flexString1Label', record.method === null ? null : 'method'],
    ['flexString1', record.method],
    ['flexString2Label', record.status === null ? null : 'sessionStatus'],
    ['flexString2', record.status],
  ];
  const extension = pairs
    .filter((pair): pair is [string, string | number] => pair[1] !== null && pair[1] !== undefined)
    .map(([key, value]) => `${key}=${extensionValue(String(value))}`)
    .join(' ');
  return `${header}|${extension}`;
}
