import { InputError } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type { CompanyRecord, ContactRecord } from '../records.js';

const present = (value: string | null | undefined): value is string =>
  typeof value === 'string' && value.trim().length > 0;

/** A Contact record in the port's shape: every non-empty email, primary first, duplicates removed. */
export function toPsaContact(record: ContactRecord): PsaContact {
  const emails: string[] = [];
  for (const email of [record.emailAddress, record.emailAddress2, record.emailAddress3]) {
    if (!present(email)) continue;
    const trimmed = email.trim();
    if (!emails.some((e) => e.toLowerCase() === trimmed.toLowerCase())) emails.push(trimmed);
  }
  return {
    id: String(record.id),
    companyId: String(record.companyID),
    firstName: record.firstName ?? '',
    lastName: record.lastName ?? '',
    emails,
    mobilePhone: present(record.mobilePhone) ? record.mobilePhone.trim() : null,
    phone: present(record.phone) ? record.phone.trim() : null,
    isActive: record.isActive === 1,
  };
}

/** A Company record in the port's shape. */
export function toPsaCompany(record: CompanyRecord): PsaCompany {
  return {
    id: String(record.id),
    name: record.companyName,
    webAddress: present(record.webAddress) ? record.webAddress.trim() : null,
    isActive: record.isActive,
  };
}

/**
 * Parses an Autotask id given as a string. Autotask ids are integers; a ticket number (`T20240101.0001`) or a name
 * is a caller mistake, reported as core's `InputError` with the fix.
 */
export function parseAutotaskId(value: string, what: 'ticket' | 'contact' | 'company' | 'afterId'): number {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (/^\d{1,16}$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))) return Number(trimmed);
  const hint =
    what === 'ticket'
      ? /^T\d{8}\.\d+$/i.test(trimmed)
        ? ` "${trimmed}" looks like a ticket number; pass the ticket's numeric id (the id in the ticket's URL, ` +
          'or the Ticket ID column) instead.'
        : " Pass the numeric ticket id (the id in the ticket's URL), not its number or title."
      : ` Pass the numeric Autotask ${what === 'afterId' ? 'record' : what} id.`;
  throw new InputError(`Autotask ${what} ids are whole numbers; got "${String(value)}".${hint}`, {
    issues: [{ path: what === 'afterId' ? 'afterId' : `${what}Id`, message: 'must be a whole number' }],
  });
}
