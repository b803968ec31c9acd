import type { CodeMode, EndUserSummary, Method, MethodAvailability, TicketLookup } from '@qdesk/core';
import { html } from 'hono/html';
import { layout, when } from './layout.js';
import { METHOD_HINT, methodLabel, WEAKER_METHODS } from './methods.js';

// The technician's Insight: who the ticket leads to, the methods the end-user's customer allows (number match
// pre-selected), and the flow area the page script drives. A verification in progress on the ticket is resumed on
// load rather than started twice.

export interface InsightView {
  ticketId: string;
  lookup: TicketLookup | null;
  problem: { code: string; message: string } | null;
  csrf: string;
  demo: boolean;
  /** The signed-in technician: the page offers a take-over when a verification belongs to someone else. */
  technician: { id: string; name: string };
  /** Code modes the end-user's customer allows; `compare` is a weaker choice shown only where accepted. */
  codeModes: CodeMode[];
  /** The pre-selected code mode where `compare` is allowed (QDESK_CODE_MODE). */
  defaultMode: CodeMode;
  /** Methods of the tenant's policy, for a start from an email when the ticket leads nowhere. */
  emailMethods: Method[];
  mspName: string;
}

/** The number match when it can be used, else the first method that can: never a weaker one by default. */
function preselected(methods: MethodAvailability[]): Method | null {
  const usable = methods.filter((m) => m.available);
  return (usable.find((m) => m.method === 'number_match') ?? usable[0])?.method ?? null;
}

function methodOption(m: { method: Method; available: boolean; reason: string | null }, checked: boolean) {
  const weaker = WEAKER_METHODS.has(m.method);
  const describedBy = [`hint-${m.method}`, ...(m.reason ? [`why-${m.method}`] : [])].join(' ');
  return html`<div class="method ${m.available ? '' : 'off'} ${weaker ? 'weaker' : ''}" data-method="${m.method}">
    <label>
      <input type="radio" name="method" value="${m.method}" ${m.available ? '' : 'disabled'} ${checked ? 'checked' : ''}
        aria-describedby="${describedBy}" />
      ${methodLabel(m.method)}
    </label>
    <small id="hint-${m.method}">${METHOD_HINT[m.method]}</small>
    ${when(m.reason, html`<small id="why-${m.method}">${m.reason}</small>`)}
  </div>`;
}

function methodPicker(v: InsightView, methods: MethodAvailability[]) {
  const selected = preselected(methods);
  return html`<form id="send-form" class="card start" aria-labelledby="method-h">
    <h2 id="method-h">Verify with</h2>
    <fieldset>
      <legend class="sr">Method</legend>
      ${methods.map((m) => methodOption(m, m.method === selected))}
    </fieldset>
    ${when(
      v.codeModes.includes('compare'),
      html`<label class="toggle weaker"><input type="checkbox" name="compare" ${v.defaultMode === 'compare' ? 'checked' : ''} /> Show me the code to compare (instead of typing it) — weaker, accepted by policy</label>`,
    )}
    <button type="submit" id="send" class="primary" ${selected ? '' : 'disabled'}>SEND</button>
  </form>`;
}

function whoList(lookup: TicketLookup) {
  const { context, endUser } = lookup;
  return html`<dl class="who">
    <dt>Company</dt><dd>${context.company?.name}</dd>
    <dt>Contact</dt><dd>${context.contact?.firstName} ${context.contact?.lastName}</dd>
    <dt>End-user</dt><dd id="who-name">${endUser.displayName}</dd>
    <dt>Phone</dt><dd id="who-phone">${endUser.maskedPhone ?? 'none on file'}</dd>
    <dt>Email</dt><dd id="who-email">${endUser.maskedEmail}</dd>
  </dl>`;
}

/** Only what the outcome line repeats: name and masked routes, never the full number or address. */
const whoData = (u: EndUserSummary) =>
  JSON.stringify({ displayName: u.displayName, maskedPhone: u.maskedPhone, maskedEmail: u.maskedEmail });

function emailForm(v: InsightView) {
  const selected = v.emailMethods.includes('number_match') ? 'number_match' : v.emailMethods[0];
  return html`<form id="email-form" class="card start" aria-labelledby="email-h">
    <h2 id="email-h">Verify by email address instead</h2>
    <label>End-user email <input type="email" name="email" required maxlength="254" autocomplete="off" /></label>
    <p class="muted">The end-user must belong to the customer of this ticket's company.</p>
    <fieldset><legend class="sr">Method</legend>
      ${v.emailMethods.map((m) => methodOption({ method: m, available: true, reason: null }, m === selected))}
    </fieldset>
    <button type="submit" class="primary">SEND</button>
  </form>`;
}

function reverseForm(v: InsightView, endUser: EndUserSummary) {
  return html`<form id="reverse-form" class="card start" aria-labelledby="reverse-h">
    <h2 id="reverse-h">Calling ${endUser.displayName} back?</h2>
    <p class="muted">Let them check it is really you: their app says “This is ${v.technician.name} from ${v.mspName}”, you read them a number and they type it.</p>
    <button type="submit" id="reverse">START TECHNICIAN CHECK</button>
  </form>`;
}

export function insightPage(v: InsightView) {
  const { lookup, problem } = v;
  const ticket = lookup?.context.ticket;
  return layout(
    'Insight',
    html`<section class="insight" data-ticket-id="${v.ticketId}" data-technician-id="${v.technician.id}"
      data-active-session="${lookup?.active?.id ?? ''}" data-end-user="${lookup ? whoData(lookup.endUser) : ''}"
      data-end-user-id="${lookup?.endUser.id ?? ''}">
      <h1>Identity check</h1>
      ${when(ticket, html`<p class="ticket"><strong>${ticket?.number}</strong> ${ticket?.title}</p>`)}
      ${when(lookup, () => whoList(lookup!))}
      ${when(
        problem,
        html`<div class="card warn" role="alert" id="problem" data-code="${problem?.code}">
            <p>${problem?.message}</p>
          </div>
          ${when(problem && problem.code !== 'ticket_not_found', () => emailForm(v))}`,
      )}
      ${when(lookup, () => methodPicker(v, lookup!.methods))}
      <div id="flow" class="card" hidden aria-live="polite"></div>
      ${when(lookup, () => reverseForm(v, lookup!.endUser))}
    </section>`,
    { script: 'insight.js', csrf: v.csrf, demo: v.demo },
  );
}
