import type { AuditRecord } from '@qdesk/core';
import type {
  CompanyLink,
  CompanyMatchRow,
  ContactLink,
  ContactMatchRow,
  Customer,
  LinkChangeReason,
  MatchEndUser,
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
// A page shows 50 rows however long the lists are: its pickers offer what the rows need (a contact's own customer's
// end-users; one shared list of the customers free to link), and anyone else is reached by email, name or id.

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
export const RECENT_CHANGES = 10;

function strengthText(s: { strength: string; reason: string; tie: boolean; conflicts: readonly unknown[] }) {
  if (s.conflicts.length)
    return `Conflict: ${REASON[s.reason] ?? s.reason}, but shared with another record; match by hand`;
  if (s.tie) return `Tie: ${REASON[s.reason] ?? s.reason}, several candidates; pick by hand`;
  return `${s.strength === 'strong' ? 'Strong' : 'Weak'}: ${REASON[s.reason] ?? s.reason}`;
}

/** What the address of /admin/matching says: which list, which rows, and where in it (a page's cursor). */
export interface AdminQuery {
  tab: 'companies' | 'contacts';
  filter: MatchFilter;
  search: string;
  /** Contacts tab: only the contacts of this PSA company, or `null` for every company. */
  company: string | null;
  /** The rows after this cursor (a page's `next`). */
  after?: string | undefined;
  /** The rows before this cursor (a page's `previous`). */
  before?: string | undefined;
}

export interface AdminView extends AdminQuery {
  tech: Technician;
  companies: MatchPage<CompanyMatchRow> | null;
  contacts: MatchPage<ContactMatchRow> | null;
  /** Every customer: names, and the companies tab's shared picker. */
  customers: Customer[];
  /** Companies tab: every company link (a customer linked to a company cannot be picked again); empty otherwise. */
  companyLinks: CompanyLink[];
  /** Contacts tab: the end-users of the customers on the page (the row pickers offer them). */
  endUsers: MatchEndUser[];
  /** The links holding any of `endUsers`: an end-user linked to another contact cannot be picked again. */
  contactLinks: ContactLink[];
  /** Names by id, for the rows and the audit lines (records keep ids only); only those the page shows. */
  companyNames: ReadonlyMap<string, string>;
  contactNames: ReadonlyMap<string, string>;
  endUserNames: ReadonlyMap<string, string>;
  /** Link changes from the audit log, newest first. */
  changes: AuditRecord[];
  /** Each customer's directory source and its runs. */
  directorySources: DirectorySourceView[];
  csrf: string;
  demo: boolean;
}

/**
 * The address of a view of /admin/matching: `v`'s tab, filter, search and company with `over` applied. A cursor is
 * kept only when given in `over`: another tab, filter, search or company starts from the first page.
 */
export function matchingLink(
  v: Pick<AdminQuery, 'tab' | 'filter' | 'search' | 'company'>,
  over: Partial<Pick<AdminQuery, 'tab' | 'filter' | 'search' | 'company' | 'after' | 'before'>>,
): string {
  const tab = over.tab ?? v.tab;
  const q = new URLSearchParams({ tab, filter: over.filter ?? v.filter });
  const search = over.search ?? v.search;
  if (search) q.set('search', search);
  const company = over.company === undefined ? v.company : over.company;
  if (tab === 'contacts' && company) q.set('company', company);
  if (over.after) q.set('after', over.after);
  if (over.before) q.set('before', over.before);
  return `/admin/matching?${q}`;
}

const actorName = (a: AuditRecord['actor']) =>
  a.type === 'technician' ? (a.name ?? a.id) : a.type === 'system' ? 'QDesk (sync)' : a.id;
const howOf = (r: AuditRecord | undefined) => HOW[r?.detail?.via as LinkChangeReason] ?? null;
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** What every row reads, built once per page: names for the ids records hold, who holds what, the last changes. */
function pageContext(v: AdminView) {
  const customer = new Map(v.customers.map((c) => [c.id, c.name]));
  const name = (map: ReadonlyMap<string, string>, what: string, id: unknown) =>
    typeof id === 'string' ? (map.get(id) ?? `${what} ${id}`) : `no ${what}`;
  // The newest change of each company's (and contact's) link; changes come newest first.
  const last = new Map<string, AuditRecord>();
  for (const r of v.changes) {
    const kind = r.action.endsWith('_company') ? 'company' : 'contact';
    const key = `${kind}:${String(r.detail?.[`${kind}Id`])}`;
    if (!last.has(key)) last.set(key, r);
  }
  // Each customer's end-users on this page, by name: the contact rows of that customer offer them.
  const endUsersOf = new Map<string, MatchEndUser[]>();
  for (const u of [...v.endUsers].sort((a, b) => a.displayName.localeCompare(b.displayName))) {
    const list = endUsersOf.get(u.customerId!) ?? [];
    list.push(u);
    endUsersOf.set(u.customerId!, list);
  }
  return {
    v,
    names: {
      customer: (id: unknown) => name(customer, 'customer', id),
      endUser: (id: unknown) => name(v.endUserNames, 'end-user', id),
      company: (id: unknown) => name(v.companyNames, 'company', id),
      contact: (id: unknown) => name(v.contactNames, 'contact', id),
    },
    /** The company a customer is linked to, the contact an end-user is linked to: neither can be picked again. */
    companyOf: new Map(v.companyLinks.map((l) => [l.customerId, l.companyId])),
    contactOf: new Map(v.contactLinks.map((l) => [l.endUserId, l.contactId])),
    endUsersOf: (customerId: string) => endUsersOf.get(customerId) ?? [],
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

/** The free-text choice beside a row's list: `label` names it for the row (unique within the row). */
function otherChoice(id: string, label: ReturnType<typeof html>, hint: string, list?: string) {
  return html`<label for="${id}">${label}</label>
    <input id="${id}" class="other" type="text" size="18" autocomplete="off" spellcheck="false" placeholder="${hint}" ${list ? html`list="${list}"` : ''} />`;
}

function companyRow(ctx: PageContext, r: CompanyMatchRow) {
  const { v, names } = ctx;
  const best = r.suggestions[0];
  const confirmable =
    r.status === 'suggested' && best && best.strength === 'strong' && !best.tie && !best.conflicts.length;
  const option = (c: Customer, note: string) => {
    const taken = ctx.companyOf.get(c.id);
    return html`<option value="${c.id}" data-name="${c.name}" ${taken ? 'disabled' : ''}>${c.name} (${note})${taken ? ` — linked to ${names.company(taken)}` : ''}</option>`;
  };
  const suggested = new Map(r.suggestedCustomers.map((c) => [c.id, c]));
  const name = r.company.name;
  const contactsLink = matchingLink(
    { ...v, search: '' },
    { tab: 'contacts', filter: 'all', company: r.company.id },
  );
  return html`<tr data-id="${r.company.id}" data-status="${r.status}" data-name="${name}">
    <td data-label="Select">${when(confirmable, html`<input type="checkbox" class="pick" aria-label="Select ${name}" value="${r.company.id}" />`)}</td>
    <th scope="row">${name}<small>${r.company.webAddress ?? ''}</small><small><a href="${contactsLink}">Contacts<span class="sr"> of ${name}</span></a></small></th>
    <td data-label="QDesk customer">${
      r.status === 'matched'
        ? html`<strong>${r.customer?.name ?? r.link?.customerId}</strong>`
        : r.suggestions.map(
            (s) =>
              html`<div class="suggestion" data-strength="${s.strength}">${suggested.get(s.customerId)?.name ?? names.customer(s.customerId)}<small>${strengthText(s)}</small></div>`,
          )
    }${auditLine(ctx, 'company', r.company.id, r.link)}</td>
    <td class="row-actions" data-label="Actions">
      ${when(confirmable, html`<button type="button" data-action="confirm-company" data-id="${r.company.id}">Confirm</button>`)}
      ${
        r.status === 'matched'
          ? html`<button type="button" data-action="unlink-company" data-id="${r.company.id}">Unmatch</button>`
          : html`${
              suggested.size > 0
                ? html`<label class="sr" for="cust-${r.company.id}">Customer for ${name}</label>
                  <select id="cust-${r.company.id}" class="choice" data-id="${r.company.id}">
                    <option value="" selected>Choose a customer…</option>
                    <optgroup label="Suggested for ${name}">${r.suggestions
                      .filter((s) => suggested.has(s.customerId))
                      .map((s) => option(suggested.get(s.customerId)!, strengthText(s)))}</optgroup>
                  </select>
                  ${otherChoice(`cust-other-${r.company.id}`, html`Or another customer<span class="sr"> (name or id), for ${name}</span>`, 'name or id', 'customer-choices')}`
                : otherChoice(
                    `cust-other-${r.company.id}`,
                    html`<span class="sr">Customer for ${name}: </span>Any customer<span class="sr"> (name or id)</span>`,
                    'name or id',
                    'customer-choices',
                  )
            }
            <button type="button" data-action="link-company" data-id="${r.company.id}" disabled>Match</button>
            <button type="button" data-action="create-customer" data-id="${r.company.id}">Create customer</button>`
      }
    </td>
  </tr>`;
}

/** An end-user as a contact's list offers them; one linked to another contact is shown, not choosable. */
function endUserOption(ctx: PageContext, u: MatchEndUser) {
  const taken = ctx.contactOf.get(u.id);
  return html`<option value="${u.id}" ${taken ? 'disabled' : ''}>${u.displayName} (${u.email})${taken ? ` — linked to ${ctx.names.contact(taken)}` : ''}</option>`;
}

/** The id of the template holding a customer's end-users on this page. */
const choicesId = (customerId: string) => `eu-choices-${customerId}`;

/**
 * Each customer's end-users, once per page, for the contact rows of that customer: inert until a row's list is
 * used, when admin.js copies them into it (after the row's suggestions). Fifty rows of different customers would
 * otherwise be fifty lists of every one of their people to lay out before the first row shows.
 */
function endUserTemplates(ctx: PageContext, rows: readonly ContactMatchRow[]) {
  const customers = [
    ...new Set(rows.flatMap((r) => (r.status !== 'matched' && r.customerId ? [r.customerId] : []))),
  ];
  return customers
    .filter((id) => ctx.endUsersOf(id).length > 0)
    .map(
      (id) =>
        html`<template id="${choicesId(id)}">${ctx.endUsersOf(id).map((u) => endUserOption(ctx, u))}</template>`,
    );
}

function contactRow(ctx: PageContext, r: ContactMatchRow) {
  const { names } = ctx;
  const best = r.suggestions[0];
  const name = `${r.contact.firstName} ${r.contact.lastName}`.trim();
  const confirmable =
    r.status === 'suggested' && best && best.strength === 'strong' && !best.tie && !best.conflicts.length;
  // The contact's own customer's end-users: its suggestions first, the others copied in from the customer's
  // template when the list is first used.
  const hasOwn = r.status !== 'matched' && r.customerId !== null && ctx.endUsersOf(r.customerId).length > 0;
  const byId = new Map(r.suggestedEndUsers.map((u) => [u.id, u]));
  const suggested = [...new Set(r.suggestions.map((x) => x.endUserId))].flatMap((id) => {
    const u = byId.get(id);
    return u && u.customerId === r.customerId ? [u] : [];
  });
  const company = names.company(r.contact.companyId);
  const companyCustomer = r.customerId === null ? null : names.customer(r.customerId);
  // A matched contact whose end-user is of another customer than its company's is flagged however it got there.
  const crosses = r.endUser && (r.customerId === null || r.endUser.customerId !== r.customerId);
  const why =
    companyCustomer === null
      ? `${company} is not matched to a customer`
      : `${companyCustomer} has no end-users`;
  return html`<tr data-id="${r.contact.id}" data-status="${r.status}" data-name="${name}">
    <td data-label="Select">${when(confirmable, html`<input type="checkbox" class="pick" aria-label="Select ${name}" value="${r.contact.id}" />`)}</td>
    <th scope="row">${name}${when(r.inactive, html` <span class="tag">inactive</span>`)}<small>${r.contact.emails.join(', ') || 'no email'}</small><small>${company}</small></th>
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
          : html`${
              hasOwn
                ? html`<label class="sr" for="eu-${r.contact.id}">End-user for ${name}</label>
                  <select id="eu-${r.contact.id}" class="choice" data-id="${r.contact.id}" data-choices="${choicesId(r.customerId!)}">
                    <option value="" selected>Choose an end-user…</option>
                    <optgroup label="${companyCustomer} (this contact's company)">${suggested.map((u) => endUserOption(ctx, u))}</optgroup>
                  </select>
                  ${otherChoice(`eu-other-${r.contact.id}`, html`Or an end-user of another customer<span class="sr">, for ${name}</span> (email or id)`, 'email or id')}`
                : otherChoice(
                    `eu-other-${r.contact.id}`,
                    html`<span class="sr">End-user for ${name}: </span>Any end-user (email or id)`,
                    'email or id',
                  )
            }
            <button type="button" data-action="link-contact" data-id="${r.contact.id}" disabled>Match</button>
            ${when(!hasOwn, html`<small class="no-own">${why}</small>`)}
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

/** The companies tab's one list of the customers free to link, shared by every row's "Or another customer". */
function customerChoices(ctx: PageContext) {
  const free = ctx.v.customers.filter((c) => !ctx.companyOf.has(c.id)).sort(byName);
  return html`<datalist id="customer-choices">${free.map((c) => html`<option value="${c.name}" data-id="${c.id}">${c.id}</option>`)}</datalist>`;
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
        <a href="${matchingLink(v, { tab: 'companies' })}" ${v.tab === 'companies' ? html`aria-current="page"` : ''}>Companies</a>
        <a href="${matchingLink(v, { tab: 'contacts' })}" ${v.tab === 'contacts' ? html`aria-current="page"` : ''}>Contacts</a>
      </nav>
      ${when(
        v.tab === 'contacts' && v.company,
        () =>
          html`<p class="company-filter">Contacts of <strong>${ctx.names.company(v.company)}</strong> · <a href="${matchingLink(v, { company: null })}">every company</a></p>`,
      )}
      <nav class="filters" aria-label="Filter">
        ${FILTERS.map((f) => html`<a href="${matchingLink(v, { filter: f })}" ${v.filter === f ? html`aria-current="page"` : ''} data-filter="${f}">${f[0]!.toUpperCase() + f.slice(1)} (${page.counts[f]})</a>`)}
      </nav>
      <form method="get" class="search">
        <input type="hidden" name="tab" value="${v.tab}" /><input type="hidden" name="filter" value="${v.filter}" />
        ${when(v.tab === 'contacts' && v.company, () => html`<input type="hidden" name="company" value="${v.company}" />`)}
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
      ${v.tab === 'companies' ? customerChoices(ctx) : endUserTemplates(ctx, v.contacts!.rows)}
      ${when(page.rows.length === 0, html`<p>Nothing here.</p>`)}
      <p class="pager">
        ${when(page.previous, () => html`<a rel="prev" href="${matchingLink(v, { before: page.previous! })}">Previous</a>`)}
        ${when(page.next, () => html`<a rel="next" href="${matchingLink(v, { after: page.next! })}">Next</a>`)}
        <small id="total">${page.total} in all</small>
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
