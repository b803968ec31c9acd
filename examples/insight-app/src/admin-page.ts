import type { EndUser } from '@qdesk/core';
import type { CompanyMatchRow, ContactMatchRow, Customer, MatchFilter, MatchPage } from '@qdesk/matching';
import { html } from 'hono/html';
import { layout, when } from './layout.js';
import { staffChrome } from './pages.js';
import type { Technician } from './security.js';

const REASON: Record<string, string> = {
  same_name: 'same name',
  same_domain: 'same web domain',
  same_email: 'same email',
  same_name_person: 'same first and last name',
};
const FILTERS: MatchFilter[] = ['suggested', 'all', 'unmatched', 'matched'];

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

function companyRow(r: CompanyMatchRow, customers: Customer[]) {
  const best = r.suggestions[0];
  const confirmable =
    r.status === 'suggested' && best && best.strength === 'strong' && !best.tie && !best.conflicts.length;
  return html`<tr data-id="${r.company.id}" data-status="${r.status}">
    <td>${when(confirmable, html`<input type="checkbox" class="pick" aria-label="Select ${r.company.name}" value="${r.company.id}" />`)}</td>
    <th scope="row">${r.company.name}<small>${r.company.webAddress ?? ''}</small></th>
    <td>${
      r.status === 'matched'
        ? html`<strong>${r.customer?.name}</strong><small>confirmed by ${r.link?.confirmedBy.name}</small>`
        : r.suggestions.map(
            (s) =>
              html`<div class="suggestion" data-strength="${s.strength}">${customers.find((c) => c.id === s.customerId)?.name ?? s.customerId}<small>${strengthText(s)}</small></div>`,
          )
    }</td>
    <td class="row-actions">
      ${when(confirmable, html`<button type="button" data-action="confirm-company" data-id="${r.company.id}">Confirm</button>`)}
      ${
        r.status === 'matched'
          ? html`<button type="button" data-action="unlink-company" data-id="${r.company.id}">Unmatch</button>`
          : html`<label class="sr" for="cust-${r.company.id}">Customer for ${r.company.name}</label>
            <select id="cust-${r.company.id}">${customers.map((c) => html`<option value="${c.id}" ${c.id === best?.customerId ? 'selected' : ''}>${c.name}</option>`)}</select>
            <button type="button" data-action="link-company" data-id="${r.company.id}">Match</button>
            <button type="button" data-action="create-customer" data-id="${r.company.id}">Create customer</button>`
      }
    </td>
  </tr>`;
}

function contactRow(r: ContactMatchRow, endUsers: EndUser[]) {
  const best = r.suggestions[0];
  const name = `${r.contact.firstName} ${r.contact.lastName}`.trim();
  const confirmable =
    r.status === 'suggested' && best && best.strength === 'strong' && !best.tie && !best.conflicts.length;
  const candidates = r.customerId ? endUsers.filter((u) => u.customerId === r.customerId) : endUsers;
  return html`<tr data-id="${r.contact.id}" data-status="${r.status}">
    <td>${when(confirmable, html`<input type="checkbox" class="pick" aria-label="Select ${name}" value="${r.contact.id}" />`)}</td>
    <th scope="row">${name}${when(r.inactive, html` <span class="tag">inactive</span>`)}<small>${r.contact.emails.join(', ') || 'no email'}</small></th>
    <td>${
      r.status === 'matched'
        ? html`<strong>${r.endUser?.displayName ?? r.link?.endUserId}</strong><small>confirmed by ${r.link?.confirmedBy.name}</small>`
        : r.suggestions.map(
            (s) =>
              html`<div class="suggestion" data-strength="${s.strength}">${endUsers.find((u) => u.id === s.endUserId)?.displayName ?? s.endUserId}<small>${strengthText(s)}</small></div>`,
          )
    }</td>
    <td class="row-actions">
      ${when(confirmable, html`<button type="button" data-action="confirm-contact" data-id="${r.contact.id}">Confirm</button>`)}
      ${
        r.status === 'matched'
          ? html`<button type="button" data-action="unlink-contact" data-id="${r.contact.id}">Unmatch</button>`
          : html`<label class="sr" for="eu-${r.contact.id}">End-user for ${name}</label>
            <select id="eu-${r.contact.id}">${(candidates.length ? candidates : endUsers).map((u) => html`<option value="${u.id}" ${u.id === best?.endUserId ? 'selected' : ''}>${u.displayName} (${u.email})</option>`)}</select>
            <button type="button" data-action="link-contact" data-id="${r.contact.id}">Match</button>`
      }
    </td>
  </tr>`;
}

export function adminMatchingPage(v: AdminView) {
  const page = v.tab === 'companies' ? v.companies! : v.contacts!;
  const rows =
    v.tab === 'companies'
      ? v.companies!.rows.map((r) => companyRow(r, v.customers))
      : v.contacts!.rows.map((r) => contactRow(r, v.endUsers));
  return layout(
    'Matching',
    html`<h1>Matching</h1>
      <section class="card" aria-labelledby="sync-h">
        <h2 id="sync-h">PSA sync</h2>
        <p id="sync-status" role="status">Not synced yet.</p>
        <progress id="sync-progress" max="1" value="0" aria-labelledby="sync-status" hidden></progress>
        <button type="button" id="sync">Sync from Autotask</button>
      </section>
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
      </p>`,
    { script: 'admin.js', csrf: v.csrf, demo: v.demo, chrome: staffChrome(v.tech) },
  );
}
