// The Insight page: the start forms (verify with a method, verify from an email, or let the end-user check the
// technician), each click with its own idempotency key and its button disabled while the request is in flight; and
// the verification in progress on the ticket, picked up on load, after Back and when the connection returns.
import './contact-history.js';
import { busy, call, el, newKey, tabStorage } from './api.js';
import { createFlow } from './insight-flow.js';
import { OFFLINE_SEND, shownKey } from './insight-words.js';

const root = document.querySelector('.insight');
const ticketId = root.dataset.ticketId;
const endUser = root.dataset.endUser ? JSON.parse(root.dataset.endUser) : null;
const sendForm = document.getElementById('send-form');
const connection = document.getElementById('connection');

const flow = createFlow(document.getElementById('flow'), {
  me: root.dataset.technicianId,
  ticketId,
  words: JSON.parse(root.dataset.words),
  announcer: document.getElementById('announce'),
  connection,
  showForms,
  startOver,
});

/** Shows or hides the start forms; returns what to focus when they come back (the picker's heading). */
function showForms(on) {
  for (const form of document.querySelectorAll('form.start')) form.hidden = !on;
  if (!on) return null;
  for (const old of document.querySelectorAll('.replacing')) old.remove();
  return document.getElementById('method-h') ?? document.getElementById('email-h');
}

/** "Start over instead": the picker again, saying that SEND replaces the verification in progress. */
function startOver(session) {
  showForms(true);
  const back = el('button', {
    type: 'button',
    class: 'secondary',
    text: 'Back to the verification in progress',
    onclick: () => flow.unpark(),
  });
  const note = el(
    'div',
    { class: 'note replacing', role: 'note' },
    el('p', {
      text: `SEND replaces the verification in progress (${session.endUser.displayName}): it is cancelled, and the ticket's note says a newer one replaced it.`,
    }),
    back,
  );
  sendForm?.querySelector('#send')?.before(note);
  document.getElementById('method-h')?.focus();
}

// ---- the picker: what SEND will do, said before it is pressed

/** The method the picker stands for: the Push choice is push + code or approve-only push by its toggle. */
function methodOf(form) {
  const picked = form.querySelector('input[name="method"]:checked')?.value ?? null;
  const toggle = form.querySelector('input[name="push-code"]');
  if ((picked === 'push_code' || picked === 'push') && toggle) return toggle.checked ? 'push_code' : 'push';
  return picked;
}

function sync(form) {
  const routes = JSON.parse(form.dataset.routes ?? '{}');
  const route = routes[methodOf(form)];
  const send = form.querySelector('button[type="submit"]');
  if (!route || !send) return;
  if (!send.disabled) send.textContent = route.send;
  const say = form.querySelector('.say');
  if (say) say.textContent = `Say: “${route.say}”`;
  if (form === sendForm) {
    const destination = document.getElementById('who-destination');
    if (destination) destination.textContent = route.destination;
  }
}

for (const form of document.querySelectorAll('#send-form, #email-form')) {
  form.addEventListener('change', () => sync(form));
  sync(form);
}

// ---- starting

const SELF_SERVE_HINT =
  'They can open the self-serve page and sign in: their browser then registers with QDesk, and you can start the check again.';

async function start(url, body, form) {
  for (const old of form.querySelectorAll('.error, .supersede, .hint')) old.remove();
  const button = form.querySelector('button[type="submit"]');
  // A second submit while one is in flight (a double click, Enter pressed twice) sends nothing more.
  if (button?.disabled) return;
  const replacing = url === '/api/verifications' && form === sendForm && flow.replacing();
  try {
    // A fresh key per click: however often the request reaches the server, it starts and sends once.
    const result = await busy(
      button,
      () =>
        call('POST', url, {
          ...body,
          ...(replacing ? { ifActive: 'supersede' } : {}),
          idempotencyKey: newKey(),
        }),
      'SENDING…',
    );
    flow.begin(result);
  } catch (error) {
    if (error.code === 'network') {
      form.append(el('p', { class: 'error', role: 'alert', text: OFFLINE_SEND }));
      flow.offline();
      return;
    }
    form.append(el('p', { class: 'error', role: 'alert', text: error.message }));
    if (error.code === 'verification_in_progress' && url === '/api/verifications') {
      // A ticket keeps one verification: starting over cancels the one in progress (recorded).
      form.append(
        el('button', {
          type: 'button',
          class: 'supersede',
          text: 'Start over instead',
          onclick: () => start(url, { ...body, ifActive: 'supersede' }, form),
        }),
      );
    }
    if (error.code === 'end_user_not_on_ticket_customer' && body.email && !body.override)
      offerOverride(body, form);
    if (error.code === 'no_delivery_route' && url === '/api/reverse')
      form.append(el('p', { class: 'hint', text: SELF_SERVE_HINT }));
  } finally {
    sync(form);
  }
}

/**
 * The end-user is not on this ticket's customer. Where the customer's policy allows it, a technician may still bind
 * the verification to the ticket by giving a reason, which the note and the audit trail record; otherwise the
 * server refuses and says so.
 */
function offerOverride(body, form) {
  const reason = el('input', { type: 'text', name: 'override-reason', minlength: '10', maxlength: '300' });
  const label = el('label', { class: 'supersede', text: 'Reason to verify them on this ticket anyway ' });
  label.append(reason);
  const button = el('button', {
    type: 'button',
    class: 'supersede',
    text: 'Verify on this ticket with this reason',
    onclick: () => start('/api/verifications', { ...body, override: { reason: reason.value.trim() } }, form),
  });
  form.append(label, button);
}

/** Code mode only where a code is judged: number match and approve-only push have none. */
function codeModeOf(form, method) {
  const compare = form.querySelector('input[name="compare"]')?.checked;
  return compare && ['sms', 'email', 'push_code'].includes(method) ? { codeMode: 'compare' } : {};
}

sendForm?.addEventListener('submit', (e) => {
  e.preventDefault();
  const method = methodOf(e.target);
  start('/api/verifications', { ticketId, method, ...codeModeOf(e.target, method) }, e.target);
});

document.getElementById('email-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(e.target);
  start('/api/verifications', { ticketId, email: data.get('email'), method: methodOf(e.target) }, e.target);
});

document.getElementById('reverse-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  start('/api/reverse', { endUserId: root.dataset.endUserId, ticketId }, e.target);
});

// A sign-in link for the end-user's phone: where it went is shown, never the link itself.
const enrolStatus = document.getElementById('enrol-status');
document.getElementById('enrol-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  busy(
    e.target.querySelector('button'),
    async () => {
      try {
        const sent = await call(
          'POST',
          `/api/end-users/${encodeURIComponent(root.dataset.endUserId)}/enrolment-link`,
        );
        enrolStatus.textContent = `Sign-in link sent by ${sent.sentTo === 'sms' ? 'SMS to the phone' : 'email to the address'} on file. It works once, for 15 minutes.`;
      } catch (error) {
        enrolStatus.textContent = error.message;
      }
    },
    'SENDING…',
  );
});

// Back to this page from the browser's back-forward cache: what is on screen is from before. Re-read the
// verification shown; with none shown, load the page again, since one may have started in the meantime.
addEventListener('pageshow', (e) => {
  if (e.persisted && !flow.catchUp()) location.reload();
});

// A reload or a second tab resumes the ticket's verification in progress instead of offering to start another; a
// tab that was away while its verification ended shows how it ended.
const resumeId = root.dataset.activeSession || tabStorage.getItem(shownKey(ticketId));
if (resumeId) await flow.resume(resumeId, endUser);
