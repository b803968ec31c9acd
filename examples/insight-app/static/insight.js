// The Insight page: the start forms (verify with a method, verify from an email, or let the end-user check the
// technician), each click with its own idempotency key and its button disabled while the request is in flight.
import { busy, call, el, newKey } from './api.js';
import { createFlow } from './insight-flow.js';

const root = document.querySelector('.insight');
const ticketId = root.dataset.ticketId;
const endUser = root.dataset.endUser ? JSON.parse(root.dataset.endUser) : null;

const flow = createFlow(document.getElementById('flow'), {
  me: root.dataset.technicianId,
  showForms(on) {
    for (const form of document.querySelectorAll('form.start')) form.hidden = !on;
  },
});

const SELF_SERVE_HINT =
  'They can open the self-serve page and sign in: their browser then registers with QDesk, and you can start the check again.';

async function start(url, body, form) {
  for (const old of form.querySelectorAll('.error, .supersede, .hint')) old.remove();
  const button = form.querySelector('button[type="submit"]');
  try {
    // A fresh key per click: however often the request reaches the server, it starts and sends once.
    const result = await busy(button, () => call('POST', url, { ...body, idempotencyKey: newKey() }));
    flow.begin(result);
  } catch (error) {
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

document.getElementById('send-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(e.target);
  const codeMode = data.get('compare') ? { codeMode: 'compare' } : {};
  start('/api/verifications', { ticketId, method: data.get('method'), ...codeMode }, e.target);
});

document.getElementById('email-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(e.target);
  start('/api/verifications', { ticketId, email: data.get('email'), method: data.get('method') }, e.target);
});

document.getElementById('reverse-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  start('/api/reverse', { endUserId: root.dataset.endUserId, ticketId }, e.target);
});

// A reload resumes the ticket's verification in progress instead of offering to start a second one.
if (root.dataset.activeSession) {
  for (const form of document.querySelectorAll('form.start')) form.hidden = true;
  await flow.resume(root.dataset.activeSession, endUser);
}
