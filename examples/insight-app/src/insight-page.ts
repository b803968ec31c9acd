import {
  type CodeMode,
  type ContactProvenance,
  contactSourceText,
  type EndUserSummary,
  type Method,
  type MethodAvailability,
  OUTCOME_REASON_TEXT,
  OUTCOME_TEXT,
  REVERSE_OUTCOME_TEXT,
  type TicketLookup,
} from '@qdesk/core';
import { html } from 'hono/html';
import { contactHistorySection } from './contact-history.js';
import { type Chrome, layout, when } from './layout.js';
import {
  METHOD_HINT,
  METHOD_NAME,
  methodLabel,
  PUSH_CHOICE,
  SAY,
  sendLabel,
  WEAKER_METHODS,
} from './methods.js';

// The technician's Insight, built for a 300-400 px ticket panel: who the ticket leads to and where a request would
// go, the methods the end-user's customer allows (number match first, push pre-selected only where a push really
// reaches the app), and the flow area the page script drives. A verification in progress on the ticket is shown on
// load, never the blank picker: the ticket owns it, not the browser tab.

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
  /** The app header, or none inside a PSA's ticket panel. */
  chrome: Chrome;
  /** The app's clock: how long ago the number on file changed. */
  now: number;
}

const DAY = 24 * 3600_000;

/**
 * Where the mobile number on file came from and how old it is, for the technician to weigh before SEND: "from the
 * directory, changed 3 days ago". `null` when there is no number or its source was not recorded.
 */
export function phoneOrigin(provenance: ContactProvenance | null, now: number): string | null {
  if (!provenance) return null;
  const from = `from ${contactSourceText(provenance.source)}`;
  if (provenance.changedAt === null) return `${from}, unchanged since it was first imported`;
  const days = Math.max(0, Math.floor((now - provenance.changedAt) / DAY));
  return `${from}, changed ${days === 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`}`;
}

/** Style sheets of the Insight: its own, and the per-contact history panel's. */
const STYLES = ['insight.css', 'history.css'];

/** What a screen reads for an outcome; core's texts, so the screen and the ticket note say the same. */
const WORDS = JSON.stringify({
  outcome: OUTCOME_TEXT,
  reverseOutcome: REVERSE_OUTCOME_TEXT,
  reason: OUTCOME_REASON_TEXT,
});

/** Where a request with this method would really go, the words the technician says, and what SEND reads. */
interface Route {
  destination: string;
  say: string;
  send: string;
}

function routeOf(m: MethodAvailability, u: EndUserSummary | null): Route {
  const route: Method = m.fallsBackTo ?? m.method;
  const say = SAY[route];
  const send = sendLabel(route);
  if (!u) return { destination: 'The end-user with this email address', say, send };
  if (!m.available) return { destination: `Cannot be sent: ${m.reason ?? 'no route'}`, say, send };
  if (route === 'sms') {
    const to = `SMS to ${u.maskedPhone ?? 'no mobile phone on file'}`;
    return { destination: m.fallsBackTo ? `${to}, not the app` : to, say, send };
  }
  if (route === 'email') {
    const to = `Email to ${u.maskedEmail}`;
    return { destination: m.fallsBackTo ? `${to}, not the app` : to, say, send };
  }
  const n = u.devices.filter((d) => d.alerts).length;
  return { destination: `QDesk app on ${n} device${n === 1 ? '' : 's'}`, say, send };
}

/**
 * Number match when a push reaches the app; else the first conforming method that goes where it says (an SMS rather
 * than a push that would become one); never a weaker one while another works.
 */
function preselected(methods: MethodAvailability[]): Method | null {
  const usable = methods.filter((m) => m.available);
  const direct = usable.filter((m) => !m.fallsBackTo);
  const conforming = (m: MethodAvailability) => !WEAKER_METHODS.has(m.method);
  return (
    (
      direct.find((m) => m.method === 'number_match') ??
      direct.find(conforming) ??
      usable.find(conforming) ??
      usable[0]
    )?.method ?? null
  );
}

function option(
  m: MethodAvailability,
  value: Method,
  label: string,
  hint: string,
  checked: boolean,
  extra: unknown = '',
) {
  const weaker = WEAKER_METHODS.has(value);
  const describedBy = [`hint-${value}`, ...(m.reason ? [`why-${value}`] : [])].join(' ');
  return html`<div class="method ${m.available ? '' : 'off'} ${weaker ? 'weaker' : ''}" data-method="${value}">
    <label>
      <input type="radio" name="method" value="${value}" ${m.available ? '' : 'disabled'} ${checked ? 'checked' : ''}
        aria-describedby="${describedBy}" />
      ${label}
    </label>
    <small id="hint-${value}">${hint}</small>
    ${when(m.reason, html`<small id="why-${value}" class="why">${m.reason}</small>`)}
    ${extra}
  </div>`;
}

/** The manual's Push choice: "Send Verification Code" on is push + code, off an approve-only push. */
function pushOption(
  code: MethodAvailability | undefined,
  plain: MethodAvailability | undefined,
  selected: boolean,
) {
  const m = (code ?? plain)!;
  const value: Method = code ? 'push_code' : 'push';
  const locked = !(code && plain);
  const words = locked ? (code ? PUSH_CHOICE.lockedOn : PUSH_CHOICE.lockedOff) : PUSH_CHOICE.hint;
  const toggle = html`<label class="toggle push-code">
      <input type="checkbox" name="push-code" ${code ? 'checked' : ''} ${locked ? 'disabled' : ''}
        aria-describedby="push-code-why" />
      ${PUSH_CHOICE.toggle}
    </label>
    <small id="push-code-why">${words}</small>`;
  return option(m, value, PUSH_CHOICE.label, 'A request to the end-user’s QDesk app.', selected, toggle);
}

/** The choices in policy order; push + code and approve-only push are one Push choice, where the first of them is. */
function choices(methods: MethodAvailability[], selected: Method | null) {
  const code = methods.find((m) => m.method === 'push_code');
  const plain = methods.find((m) => m.method === 'push');
  const pushSelected = selected === 'push_code' || selected === 'push';
  const out = [];
  let pushShown = false;
  for (const m of methods) {
    if (m.method === 'push_code' || m.method === 'push') {
      if (!pushShown) out.push(pushOption(code, plain, pushSelected));
      pushShown = true;
      continue;
    }
    out.push(option(m, m.method, methodLabel(m.method), METHOD_HINT[m.method], m.method === selected));
  }
  return out;
}

function routesOf(methods: MethodAvailability[], u: EndUserSummary | null): Record<string, Route> {
  return Object.fromEntries(methods.map((m) => [m.method, routeOf(m, u)]));
}

function methodPicker(v: InsightView, methods: MethodAvailability[], hidden: boolean) {
  const endUser = v.lookup?.endUser ?? null;
  const selected = preselected(methods);
  const routes = routesOf(methods, endUser);
  const first = selected ? routes[selected] : null;
  return html`<form id="send-form" class="card start" aria-labelledby="method-h" data-routes="${JSON.stringify(routes)}"
      ${hidden ? 'hidden' : ''}>
    <h2 id="method-h" tabindex="-1">Verify with</h2>
    <fieldset>
      <legend class="sr">Method</legend>
      ${choices(methods, selected)}
    </fieldset>
    ${when(
      v.codeModes.includes('compare'),
      html`<label class="toggle weaker"><input type="checkbox" name="compare" ${v.defaultMode === 'compare' ? 'checked' : ''} /> Show me the code to compare (instead of typing it) — weaker, accepted by policy</label>`,
    )}
    <p class="say" id="say">${when(first, () => html`Say: “${first!.say}”`)}</p>
    <button type="submit" id="send" class="primary" ${selected ? '' : 'disabled'}>${first?.send ?? 'SEND'}</button>
  </form>`;
}

function whoList(lookup: TicketLookup, destination: string, now: number) {
  const { context, endUser } = lookup;
  const origin = phoneOrigin(endUser.phoneProvenance, now);
  const contact = [context.contact?.firstName, context.contact?.lastName].filter(Boolean).join(' ');
  return html`<dl class="who">
    <dt>End-user</dt><dd id="who-name">${endUser.displayName}</dd>
    <dt>Company</dt><dd id="who-company">${context.company?.name ?? 'none on the ticket'}</dd>
    ${when(contact && contact !== endUser.displayName, html`<dt>Contact</dt><dd>${contact}</dd>`)}
    <dt>Sends to</dt><dd id="who-destination">${destination}</dd>
    ${when(origin, html`<dt>Mobile number</dt><dd id="who-phone-origin">${origin}</dd>`)}
  </dl>`;
}

/** Only what the outcome line repeats: name and masked routes, never the full number or address. */
const whoData = (u: EndUserSummary) =>
  JSON.stringify({ displayName: u.displayName, maskedPhone: u.maskedPhone, maskedEmail: u.maskedEmail });

function emailForm(v: InsightView) {
  const methods = v.emailMethods.map(
    (method): MethodAvailability => ({ method, available: true, fallsBackTo: null, reason: null }),
  );
  const selected = preselected(methods);
  const routes = routesOf(methods, null);
  return html`<form id="email-form" class="card start" aria-labelledby="email-h" data-routes="${JSON.stringify(routes)}">
    <h2 id="email-h" tabindex="-1">Verify by email address instead</h2>
    <label>End-user email <input type="email" name="email" required maxlength="254" autocomplete="off" /></label>
    <p class="muted">The end-user must belong to the customer of this ticket's company.</p>
    <fieldset><legend class="sr">Method</legend>
      ${choices(methods, selected)}
    </fieldset>
    <button type="submit" class="primary">${selected ? routes[selected]!.send : 'SEND'}</button>
  </form>`;
}

function reverseForm(v: InsightView, endUser: EndUserSummary, hidden: boolean) {
  return html`<form id="reverse-form" class="card start" aria-labelledby="reverse-h" ${hidden ? 'hidden' : ''}>
    <h2 id="reverse-h">Calling ${endUser.displayName} back?</h2>
    <p class="muted">Let them check it is really you: their app says “This is ${v.technician.name} from ${v.mspName}”, you read them a number and they type it.</p>
    <button type="submit" id="reverse">START TECHNICIAN CHECK</button>
  </form>`;
}

/**
 * The way onto a new phone for an end-user without their company's sign-in: a single-use link to the phone (or else
 * the email) on file. The technician never sees the link, only where it went.
 */
function enrolForm(endUser: EndUserSummary) {
  return html`<form id="enrol-form" class="card start" aria-labelledby="enrol-h">
    <h2 id="enrol-h">New phone or no app yet?</h2>
    <p class="muted">Send ${endUser.displayName} a sign-in link for the QDesk app. It goes to the phone or email on file and works once, for 15 minutes.</p>
    <button type="submit" id="enrol">SIGN-IN LINK FOR THEIR PHONE</button>
    <p id="enrol-status" role="status"></p>
  </form>`;
}

/** Until the script has read the verification in progress: what it is, so a reload never shows an empty picker. */
function activePlaceholder(lookup: TicketLookup) {
  const active = lookup.active!;
  const method = active.method ? METHOD_NAME[active.method] : 'Nothing sent yet';
  return html`<h2 tabindex="-1">Verification in progress</h2>
    <p role="status">${method}, started by ${active.technician.name}. Reading its status…</p>`;
}

export function insightPage(v: InsightView) {
  const { lookup, problem } = v;
  const ticket = lookup?.context.ticket;
  const active = Boolean(lookup?.active);
  const selected = lookup ? preselected(lookup.methods) : null;
  const destination =
    lookup && selected
      ? routesOf(lookup.methods, lookup.endUser)[selected]!.destination
      : 'No method can reach them now';
  return layout(
    'Insight',
    html`<section class="insight" data-ticket-id="${v.ticketId}" data-technician-id="${v.technician.id}"
      data-active-session="${lookup?.active?.id ?? ''}" data-end-user="${lookup ? whoData(lookup.endUser) : ''}"
      data-end-user-id="${lookup?.endUser.id ?? ''}" data-words="${WORDS}">
      <h1>Identity check</h1>
      ${when(ticket, html`<p class="ticket"><strong>${ticket?.number}</strong> ${ticket?.title}</p>`)}
      ${when(lookup, () => whoList(lookup!, destination, v.now))}
      ${when(
        problem,
        html`<div class="card warn" role="alert" id="problem" data-code="${problem?.code}">
            <p>${problem?.message}</p>
          </div>
          ${when(problem && problem.code !== 'ticket_not_found', () => emailForm(v))}`,
      )}
      <p id="connection" class="connection" role="status"></p>
      ${when(lookup, () => methodPicker(v, lookup!.methods, active))}
      <div id="flow" class="card flow" ${active ? '' : 'hidden'}>${when(active, () => activePlaceholder(lookup!))}</div>
      <p id="announce" class="sr" aria-live="polite"></p>
      ${when(lookup, () => reverseForm(v, lookup!.endUser, active))}
      ${when(lookup, () => enrolForm(lookup!.endUser))}
      ${when(lookup, () => contactHistorySection(lookup!.endUser.id))}
    </section>`,
    { script: 'insight.js', styles: STYLES, csrf: v.csrf, demo: v.demo, chrome: v.chrome },
  );
}

/**
 * A link that cannot open a ticket's Insight (no ticket id, or not a number): a page in the panel that says what to
 * do, where the raw JSON error used to be.
 */
export function insightProblemPage(raw: string | undefined, chrome: Chrome, demo: boolean) {
  const given = raw?.trim().slice(0, 40);
  return layout(
    'Insight: no ticket',
    html`<section class="insight problem-page" aria-labelledby="problem-h">
      <h1 id="problem-h">This Insight link names no ticket</h1>
      <div class="card warn" id="problem" data-code="input_invalid">
        <p>${
          given
            ? html`“<span class="given">${given}</span>” is not a ticket id: the Insight opens with a ticket’s number id, for example <code>/insight?ticketId=1001</code>.`
            : html`The link has no ticket id: the Insight opens with one, for example <code>/insight?ticketId=1001</code>.`
        }</p>
      </div>
      <h2>What to do</h2>
      <ol>
        <li>Open the ticket again in Autotask and reopen this panel.</li>
        <li>If it keeps happening, ask your Autotask administrator to check the Insight’s URL: it must pass the ticket id as <code>ticketId</code>.</li>
      </ol>
      ${when(chrome.kind !== 'embedded', html`<p><a href="/">Pick a ticket on the start page</a></p>`)}
    </section>`,
    { styles: STYLES, demo, chrome },
  );
}
