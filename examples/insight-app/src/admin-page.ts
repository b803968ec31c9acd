import type { AuditRecord, EndUser } from '@qdesk/core';
import type {
  CompanyLink,
  CompanyMatchRow,
  ContactLink,
  ContactMatchRow,
  Customer,
  LinkChangeReason,
  MatchFilter,
  MatchPage,
} from '@qdesk/matching';
import { html } from 'hono/html';
import { type DirectorySourceView, directorySourcesSection } from './admin-directory.js';
import { layout, when } from './layout.js';
import { staffChrome } from './pages.js';
import type { Technician } from './security.js';
import { utcTime } from './time.js';

// The matching page. A link decides who a ticket's caller is verified as, so nothing on it is picked for the admin:
// a manual match starts empty, offers the contact's own customer first, and every link says who made it, how, when.

const REASON: Record<string, string> = {
  same_name: 'same name',
  same_domain: 'same web domain',
  same_email: 'same email',
  same_name_person: 'same first and last name',
};
const FILTERS: MatchFilter[] = ['suggested', 'all', 'unmatched', 'matched'];

/** How a link changed, in the admin's words (the audit record's `detail.via`). */
const HOW: Record<LinkChangeReason, string> = {
  confirmed_suggestion: 'suggestion confirmed',
  matched_by_hand: 'matched by hand',
  matched_across_customers: 'matched by hand across customers, confirmed',
  unmatched_by_hand: 'unmatched by hand',
  new_customer: 'customer created from the company',
  removed_from_psa: 'no longer in Autotask',
  contact_deleted: 'contact deleted in Autotask',
};

/** How many link changes the "Recent matching changes" list shows. */
const RECENT_CHANGES = 10;

function strengthText(s: { strength: string; reason: string; tie: boolean; conflicts: readonly unknown[] }) {
  if (s.conflicts.length)
    return `Conflict: ${REASON[s.reason] ?? s.reason}, but shared with another record; match by hand`;
  if (s.tie) return `Tie: ${REASON[s.reason] ?? s.reason}, several candidates; pick by hand`;
  return `${s.strength === 'strong' ? 'Strong' : 'Weak'}: ${REASON[s.reason] ?? s.reason}`;
}

export interface AdminView {
  tech: Technician;
  tab: 'companies' | 'contacts';
  filter: MatchFilter;
  search: string;
  offset: number;
  companies: MatchPage<CompanyMatchRow> | null;
  contacts: MatchPage<ContactMatchRow> | null;
  customers: Customer[];
  endUsers: EndUser[];
  /** Every link of the tenant: a customer or end-user linked elsewhere cannot be picked again. */
  companyLinks: CompanyLink[];
  contactLinks: ContactLink[];
  /** PSA names by id, for the audit lines (records keep ids only). */
  companyNames: ReadonlyMap<string, string>;
  contactNames: ReadonlyMap<string, string>;
  /** Link changes from the audit log, newest first. */
  changes: AuditRecord[];
  /** Each customer's directory source and its runs. */
  directorySources: DirectorySourceView[];
  csrf: string;
  demo: boolean;
}

const link = (v: AdminView, over: Partial<Pick<AdminView, 'tab' | 'filter' | 'offset'>>) => {
  const q = new URLSearchParams({
    tab: over.tab ?? v.tab,
    filter: over.filter ?? v.filter,
    offset: String(over.offset ?? 0),
  });
  if (v.search) q.set('search', v.search);
  return `/admin/matching?${q}`;
};

/** A moment with its zone spelled out: admins in several zones read the same audit trail. */
const actorName = (a: AuditRecord['actor']) =>
  a.type === 'technician' ? (a.name ?? a.id) : a.type === 'system' ? 'QDesk (sync)' : a.id;
const howOf = (r: AuditRecord | undefined) => HOW[r?.detail?.via as LinkChangeReason] ?? null;

/** What every row reads, built once per page: names for the ids records hold, who holds what, the last changes. */
function pageContext(v: AdminView) {
  const customer = new Map(v.customers.map((c) => [c.id, c.name]));
  const endUser = new Map(v.endUsers.map((u) => [u.id, u.displayName]));
  const name = (map: ReadonlyMap<string, string>, what: string, id: unknown) =>
    typeof id === 'string' ? (map.get(id) ?? `${what} ${id}`) : `no ${what}`;
  // The newest change of each company's (and contact's) link; changes come newest first.
  const last = new Map<string, AuditRecord>();
  for (const r of v.changes) {
    const kind = r.action.endsWith('_company') ? 'company' : 'contact';
    const key = `${kind}:${String(r.detail?.[`${kind}Id`])}`;
    if (!last.has(key)) last.set(key, r);
  }
  return {
    v,
    names: {
      customer: (id: unknown) => name(customer, 'customer', id),
      endUser: (id: unknown) => name(endUser, 'end-user', id),
      company: (id: unknown) => name(v.companyNames, 'company', id),
      contact: (id: unknown) => name(v.contactNames, 'contact', id),
    },
    /** The company a customer is linked to, the contact an end-user is linked to: neither can be picked again. */
    companyOf: new Map(v.companyLinks.map((l) => [l.customerId, l.companyId])),
    contactOf: new Map(v.contactLinks.map((l) => [l.endUserId, l.contactId])),
    lastChange: (kind: 'company' | 'contact', id: string) => last.get(`${kind}:${id}`),
  };
}
type PageContext = ReturnType<typeof pageContext>;

/** Under a row: who made its link, how and when; or, unlinked, who removed the last one. */
function auditLine(
  ctx: PageContext,
  kind: 'company' | 'contact',
  id: string,
  current: CompanyLink | ContactLink | null,
) {
  const last = ctx.lastChange(kind, id);
  if (current) {
    const target = 'customerId' in current ? current.customerId : current.endUserId;
    // The link itself keeps who and when; how is on the audit trail (the record that made this very link).
    const made = last?.action === `link_${kind}` && last.detail?.after === target ? last : undefined;
    return html`<p class="audit-line">Linked by <strong>${current.confirmedBy.name}</strong> · ${howOf(made) ?? 'how: not in the recent audit trail'} · ${utcTime(current.confirmedAt)}</p>`;
  }
  if (last?.action !== `unlink_${kind}`) return '';
  return html`<p class="audit-line">Unmatched by <strong>${actorName(last.actor)}</strong> · ${howOf(last) ?? ''} · ${utcTime(last.at)}</p>`;
}

function companyRow(ctx: PageContext, r: CompanyMatchRow) {
  const { v, names } = ctx;
  const best = r.suggestions[0];
  const confirmable =
    r.status === 'suggested' && best && best.strength === 'strong' && !best.tie && !best.conflicts.length;
  const suggested = new Map(r.suggestions.map((s) => [s.customerId, s]));
  const option = (c: Customer, note?: string) => {
    const taken = ctx.companyOf.get(c.id);
    return html`<option value="${c.id}" data-name="${c.name}" ${taken ? 'disabled' : ''}>${c.name}${note ? ` (${note})` : ''}${taken ? ` — linked to ${names.company(taken)}` : ''}</option>`;
  };
  const others = v.customers.filter((c) => !suggested.has(c.id)).sort((a, b) => a.name.localeCompare(b.name));
  return html`<tr data-id="${r.company.id}" data-status="${r.status}">
    <td data-label="Select">${when(confirmable, html`<input type="checkbox" class="pick" aria-label="Select ${r.company.name}" value="${r.company.id}" />`)}</td>
    <th scope="row">${r.company.name}<small>${r.company.webAddress ?? ''}</small></th>
    <td data-label="QDesk customer">${
      r.status === 'matched'
        ? html`<strong>${r.customer?.name ?? r.link?.customerId}</strong>`
        : r.suggestions.map(
            (s) =>
              html`<div class="suggestion" data-strength="${s.strength}">${names.customer(s.customerId)}<small>${strengthText(s)}</small></div>`,
          )
    }${auditLine(ctx, 'company', r.company.id, r.link)}</td>
    <td class="row-actions" data-label="Actions">
      ${when(confirmable, html`<button type="button" data-action="confirm-company" data-id="${r.company.id}">Confirm</button>`)}
      ${
        r.status === 'matched'
          ? html`<button type="button" data-action="unlink-company" data-id="${r.company.id}">Unmatch</button>`
          : html`<label class="sr" for="cust-${r.company.id}">Customer for ${r.company.name}</label>
            <select id="cust-${r.company.id}" class="choice" data-id="${r.company.id}" required>
              <option value="" selected>Choose a customer…</option>
              ${when(
                suggested.size > 0,
                html`<optgroup label="Suggested for ${r.company.name}">${v.customers
                  .filter((c) => suggested.has(c.id))
                  .map((c) => option(c, strengthText(suggested.get(c.id)!)))}</optgroup>`,
              )}
              <optgroup label="${suggested.size > 0 ? 'Other customers' : 'Customers'}">${others.map((c) => option(c))}</optgroup>
            </select>
            <button type="button" data-action="link-company" data-id="${r.company.id}" disabled>Match</button>
            <button type="button" data-action="create-customer" data-id="${r.company.id}">Create customer</button>`
      }
    </td>
  </tr>`;
}

/**
 * The end-users a contact may be matched to, in the order the page offers them: those of the customer its company is
 * matched to (`own`: suggestions first, then by name), then everyone else by customer and name (`others`; all of
 * them when the company is matched to none, so every choice crosses customers).
 */
function endUserChoices(
  row: Pick<ContactMatchRow, 'customerId' | 'suggestions'>,
  endUsers: readonly EndUser[],
  customerName: (customerId: string) => string,
) {
  const rank = new Map(row.suggestions.map((s, i) => [s.endUserId, i]));
  const byName = (a: EndUser, b: EndUser) =>
    (rank.get(a.id) ?? rank.size) - (rank.get(b.id) ?? rank.size) ||
    a.displayName.localeCompare(b.displayName);
  // End-users of no customer last: nothing ties them to any company.
  const customerKey = (u: EndUser) => (u.customerId ? `0${customerName(u.customerId)}` : '1');
  const own = endUsers.filter((u) => row.customerId !== null && u.customerId === row.customerId).sort(byName);
  const others = endUsers
    .filter((u) => row.customerId === null || u.customerId !== row.customerId)
    .sort((a, b) => customerKey(a).localeCompare(customerKey(b)) || byName(a, b));
  return { own, others };
}

function contactRow(ctx: PageContext, r: ContactMatchRow) {
  const { v, names } = ctx;
  const best = r.suggestions[0];
  const name = `${r.contact.firstName} ${r.contact.lastName}`.trim();
  const confirmable =
    r.status === 'suggested' && best && best.strength === 'strong' && !best.tie && !best.conflicts.length;
  const choices = endUserChoices(r, v.endUsers, names.customer);
  const company = names.company(r.contact.companyId);
  const companyCustomer = r.customerId === null ? null : names.customer(r.customerId);
  const option = (u: EndUser, withCustomer: boolean) => {
    const taken = ctx.contactOf.get(u.id);
    const customer = withCustomer ? ` · ${u.customerId ? names.customer(u.customerId) : 'no customer'}` : '';
    return html`<option value="${u.id}" data-name="${u.displayName}" ${taken ? 'disabled' : ''}>${u.displayName}${customer} (${u.email})${taken ? ` — linked to ${names.contact(taken)}` : ''}</option>`;
  };
  // A matched contact whose end-user is of another customer than its company's is flagged however it got there.
  const crosses = r.endUser && (r.customerId === null || r.endUser.customerId !== r.customerId);
  return html`<tr data-id="${r.contact.id}" data-status="${r.status}">
    <td data-label="Select">${when(confirmable, html`<input type="checkbox" class="pick" aria-label="Select ${name}" value="${r.contact.id}" />`)}</td>
    <th scope="row">${name}${when(r.inactive, html` <span class="tag">inactive</span>`)}<small>${r.contact.emails.join(', ') || 'no email'}</small><small>${names.company(r.contact.companyId)}</small></th>
    <td data-label="QDesk end-user">${
      r.status === 'matched'
        ? html`<strong>${r.endUser?.displayName ?? r.link?.endUserId}</strong>${when(
            crosses,
            () =>
              html`<p class="cross-flag">Other customer: ${r.endUser!.displayName} belongs to ${r.endUser!.customerId ? names.customer(r.endUser!.customerId) : 'no customer'}; ${name} works at ${company}${companyCustomer === null ? ', not matched to a customer' : companyCustomer === company ? '' : ` (${companyCustomer})`}.</p>`,
          )}`
        : r.suggestions.map(
            (s) =>
              html`<div class="suggestion" data-strength="${s.strength}">${names.endUser(s.endUserId)}<small>${strengthText(s)}</small></div>`,
          )
    }${auditLine(ctx, 'contact', r.contact.id, r.link)}</td>
    <td class="row-actions" data-label="Actions">
      ${when(confirmable, html`<button type="button" data-action="confirm-contact" data-id="${r.contact.id}">Confirm</button>`)}
      ${
        r.status === 'matched'
          ? html`<button type="button" data-action="unlink-contact" data-id="${r.contact.id}">Unmatch</button>`
          : html`<label class="sr" for="eu-${r.contact.id}">End-user for ${name}</label>
            <select id="eu-${r.contact.id}" class="choice" data-id="${r.contact.id}" data-name="${name}" required>
              <option value="" selected>Choose an end-user…</option>
              ${
                companyCustomer
                  ? html`${when(
                      choices.own.length > 0,
                      html`<optgroup label="${companyCustomer} (this contact's company)">${choices.own.map((u) => option(u, false))}</optgroup>`,
                    )}
                    <optgroup label="Other customers${choices.own.length ? '' : ` (${companyCustomer} has no end-users)`}">${choices.others.map((u) => option(u, true))}</optgroup>`
                  : html`<optgroup label="Any customer (${names.company(r.contact.companyId)} is not matched to one)">${choices.others.map((u) => option(u, true))}</optgroup>`
              }
            </select>
            <button type="button" data-action="link-contact" data-id="${r.contact.id}" disabled>Match</button>
            <div class="cross-confirm" id="cross-${r.contact.id}" hidden>
              <p id="cross-message-${r.contact.id}" role="alert"></p>
              <button type="button" class="danger" data-action="confirm-cross" data-id="${r.contact.id}" aria-describedby="cross-message-${r.contact.id}">Link across customers</button>
              <button type="button" data-action="cancel-cross" data-id="${r.contact.id}">Cancel</button>
            </div>`
      }
    </td>
  </tr>`;
}

/** One line of "Recent matching changes": when, who, what, how. */
function changeLine(ctx: PageContext, r: AuditRecord) {
  const n = ctx.names;
  const d = r.detail ?? {};
  const linked = r.action.startsWith('link_');
  const what = r.action.endsWith('_company')
    ? linked
      ? `linked company ${n.company(d.companyId)} to customer ${n.customer(d.after)}`
      : `unlinked company ${n.company(d.companyId)} from customer ${n.customer(d.before)}`
    : linked
      ? `linked contact ${n.contact(d.contactId)} to end-user ${n.endUser(d.after)}`
      : `unlinked contact ${n.contact(d.contactId)} from end-user ${n.endUser(d.before)}`;
  const across =
    d.via === 'matched_across_customers'
      ? ` (contact's customer: ${d.companyCustomerId ? n.customer(d.companyCustomerId) : 'none'}; end-user's customer: ${d.endUserCustomerId ? n.customer(d.endUserCustomerId) : 'none'})`
      : '';
  return html`<li data-action="${r.action}" data-via="${String(d.via ?? '')}">${utcTime(r.at)} <strong>${actorName(r.actor)}</strong> ${what} · ${howOf(r) ?? String(d.via ?? '')}${across}</li>`;
}

export function adminMatchingPage(v: AdminView) {
  const page = v.tab === 'companies' ? v.companies! : v.contacts!;
  const ctx = pageContext(v);
  const rows =
    v.tab === 'companies'
      ? v.companies!.rows.map((r) => companyRow(ctx, r))
      : v.contacts!.rows.map((r) => contactRow(ctx, r));
  const recent = v.changes.slice(0, RECENT_CHANGES);
  return layout(
    'Matching',
    html`<h1>Matching</h1>
      <section class="card" aria-labelledby="sync-h">
        <h2 id="sync-h">PSA sync</h2>
        <p id="sync-status" role="status">Not synced yet.</p>
        <progress id="sync-progress" max="1" value="0" aria-labelledby="sync-status" hidden></progress>
        <button type="button" id="sync">Sync from Autotask</button>
      </section>
      ${directorySourcesSection(v.directorySources)}
      <nav class="tabs" aria-label="Records">
        <a href="${link(v, { tab: 'companies' })}" ${v.tab === 'companies' ? html`aria-current="page"` : ''}>Companies</a>
        <a href="${link(v, { tab: 'contacts' })}" ${v.tab === 'contacts' ? html`aria-current="page"` : ''}>Contacts</a>
      </nav>
      <nav class="filters" aria-label="Filter">
        ${FILTERS.map((f) => html`<a href="${link(v, { filter: f })}" ${v.filter === f ? html`aria-current="page"` : ''} data-filter="${f}">${f[0]!.toUpperCase() + f.slice(1)} (${page.counts[f]})</a>`)}
      </nav>
      <form method="get" class="search">
        <input type="hidden" name="tab" value="${v.tab}" /><input type="hidden" name="filter" value="${v.filter}" />
        <label>Search <input name="search" value="${v.search}" maxlength="100" /></label>
        <button type="submit">Search</button>
      </form>
      <div class="bulk" data-kind="${v.tab}">
        <button type="button" id="select-all">Select all suggested</button>
        <button type="button" id="confirm-selected" class="primary">Confirm selected</button>
        <span id="admin-message" role="status"></span>
      </div>
      <table class="matching" data-kind="${v.tab}">
        <thead><tr><th><span class="sr">Select</span></th><th>${v.tab === 'companies' ? 'PSA company' : 'PSA contact'}</th><th>${v.tab === 'companies' ? 'QDesk customer' : 'QDesk end-user'}</th><th>Actions</th></tr></thead>
        <tbody>${rows}</tbody>
      </table>
      ${when(page.rows.length === 0, html`<p>Nothing here.</p>`)}
      <p class="pager">
        ${when(v.offset > 0, html`<a href="${link(v, { offset: Math.max(0, v.offset - page.limit) })}">Previous</a>`)}
        ${when(v.offset + page.limit < page.total, html`<a href="${link(v, { offset: v.offset + page.limit })}">Next</a>`)}
        <small>${page.total} in all</small>
      </p>
      <section class="card" aria-labelledby="changes-h">
        <h2 id="changes-h">Recent matching changes</h2>
        ${
          recent.length
            ? html`<ol class="changes">${recent.map((r) => changeLine(ctx, r))}</ol>`
            : html`<p>No link changed yet.</p>`
        }
        <p class="muted">Every change is on the audit trail with who made it; times are UTC.</p>
      </section>`,
    {
      script: 'admin.js',
      styles: ['admin.css'],
      csrf: v.csrf,
      demo: v.demo,
      chrome: staffChrome(v.tech),
    },
  );
}
