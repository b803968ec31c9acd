import { isQdeskError } from '@qdesk/core';
import type { OutboxEntry } from '@qdesk/core/memory';
import { html } from 'hono/html';
import { type Chrome, layout, when } from './layout.js';
import type { Technician } from './security.js';
import { DEMO_STAFF } from './staff.js';
import { utcTime } from './time.js';

/** The header of a staff page: the signed-in member of staff decides which links it shows. */
export const staffChrome = (tech: Pick<Technician, 'name' | 'role'> | null): Chrome => ({
  kind: 'staff',
  staff: tech ? { name: tech.name, role: tech.role } : null,
});

export function homePage(
  demo: boolean,
  tickets: { id: string; number: string; title: string }[],
  tech: Pick<Technician, 'name' | 'role'> | null,
) {
  return layout(
    'Start',
    html`<h1>QDesk</h1>
      <p>Prove the caller is the end-user on the ticket before a password or MFA reset.</p>
      ${when(
        demo,
        html`<section aria-labelledby="play">
          <h2 id="play">Play both roles</h2>
          <ol>
            <li>Open a ticket's <strong>Insight</strong> below (you are signed in as a demo technician).</li>
            <li>In a second tab open <a href="/self-serve">Self-serve</a> and pick the ticket's end-user.</li>
            <li>Codes sent by SMS or email appear in the <a href="/outbox">Outbox</a>.</li>
            <li>Northwind and Fabrikam run the NIST defaults (number match first); Contoso Dental's policy also accepts the weaker choices. Sign in as the demo administrator to change a customer's on <a href="/admin/policies">Policies</a>.</li>
          </ol>
        </section>`,
      )}
      <section aria-labelledby="tickets">
        <h2 id="tickets">Tickets</h2>
        <ul class="tickets">
          ${tickets.map((t) => html`<li><a href="/insight?ticketId=${t.id}">${t.number}</a> ${t.title}</li>`)}
        </ul>
      </section>`,
    { demo, chrome: staffChrome(tech) },
  );
}

/** The sign-in page: the identity provider's button when one is configured, and in demo mode the demo staff. */
export function loginPage(options: {
  demo: boolean;
  next: string;
  /** "Sign in with <name>" when technicians sign in through an identity provider. */
  provider: string | null;
  error?: string;
  staffId?: string;
}) {
  const { demo, next, provider, error } = options;
  const picked = DEMO_STAFF.find((s) => s.id === options.staffId) ?? DEMO_STAFF[0]!;
  return layout(
    'Sign in',
    html`<h1>Technician sign-in</h1>
      ${when(error, html`<p class="error" role="alert">${error}</p>`)}
      ${when(
        provider,
        html`<p><a class="button primary" id="sso" href="/auth/start?next=${encodeURIComponent(next)}">Sign in with ${provider}</a></p>
          <p class="muted">Your role (technician or administrator) comes from your account there.</p>`,
      )}
      ${when(
        demo,
        html`<form method="post" action="/login">
          <input type="hidden" name="next" value="${next}" />
          <fieldset><legend>Demo mode: sign in as</legend>
            ${DEMO_STAFF.map(
              (s) =>
                html`<label class="method"><input type="radio" name="staff" value="${s.id}" ${s === picked ? 'checked' : ''} /> ${s.name} <small>${s.role === 'admin' ? 'administrator: policies and unlocks' : 'technician'}</small></label>`,
            )}
          </fieldset>
          <button type="submit">Sign in</button>
        </form>`,
      )}`,
    { demo },
  );
}

export function outboxPage(entries: OutboxEntry[], tech: Technician | null) {
  const sorted = [...entries].sort((a, b) => b.at - a.at);
  return layout(
    'Outbox',
    html`<h1>Outbox</h1>
      <p class="muted">What the console channels sent (demo mode only), newest first.</p>
      <ol class="outbox">
        ${sorted.map((e) => {
          const m = e.message;
          return html`<li class="card" data-route="${m.route}">
            <p><strong>${m.route.toUpperCase()}</strong> to ${m.route === 'push' ? m.device.id : m.to} <small>${utcTime(e.at)}</small></p>
            ${m.route === 'push' ? html`<p>${m.title}: ${m.body}</p>` : html`<p class="message">${m.route === 'email' ? `${m.subject}: ` : ''}${m.text}</p>`}
          </li>`;
        })}
      </ol>
      ${when(sorted.length === 0, html`<p>Nothing sent yet.</p>`)}`,
    { demo: true, chrome: staffChrome(tech) },
  );
}

export function problemOf(error: unknown, ticketNumber?: string) {
  if (isQdeskError(error))
    return { code: error.code, message: error.message, ...(ticketNumber ? { ticketNumber } : {}) };
  throw error;
}
