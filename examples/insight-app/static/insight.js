import { call, el } from './api.js';

const root = document.querySelector('.insight');
const ticketId = root.dataset.ticketId;
const flow = document.getElementById('flow');
let current = null; // { session, display }
let events = null;
let timer = null;

const OUTCOME = {
  approved: 'User Identity Successfully Verified',
  denied: 'Unable to Verify Identity',
  failed: 'Unable to Verify Identity',
  cancelled: 'Unable to Verify Identity',
  expired: 'Verification timed out: no answer within the time allowed. Start a new verification.',
};

function stopLive() {
  events?.close();
  events = null;
  clearInterval(timer);
  timer = null;
}

function show(...nodes) {
  flow.replaceChildren(...nodes);
  flow.hidden = false;
}

function problem(error) {
  return el('p', { class: 'error', role: 'alert', text: error.message });
}

function reset() {
  stopLive();
  current = null;
  flow.hidden = true;
  flow.replaceChildren();
  for (const form of document.querySelectorAll('form')) form.hidden = false;
}

function outcome(session) {
  stopLive();
  const ok = session.status === 'approved';
  const text = OUTCOME[session.status] ?? session.status;
  show(
    el('p', { class: `outcome ${ok ? 'ok' : 'bad'}`, role: 'status', 'data-status': session.status, text }),
    el('button', {
      type: 'button',
      class: ok ? 'primary' : '',
      onclick: reset,
      text: ok || session.status === 'expired' ? 'OK' : 'CANCEL',
    }),
  );
}

function fallbackNote(session) {
  const last = session.fallbacks?.at(-1);
  if (!last) return null;
  const why =
    {
      no_push_device: 'the end-user has no device with the app',
      notifications_denied: 'the app reported notifications turned off',
      push_failed_permanently: 'the push service reported the device gone',
      push_unreachable: 'the app could not be reached',
      channel_failed: 'the previous route failed',
    }[last.reason] ?? last.reason;
  return el('p', {
    class: 'note',
    'data-fallback': last.reason,
    text: `Push not possible (${why}): a ${last.to.toUpperCase()} code was sent instead.`,
  });
}

function codeStep() {
  const { session, display } = current;
  const sentTo =
    session.status === 'sent'
      ? `sent by ${session.route.toUpperCase()} to ${session.destination}`
      : 'shown on the end-user’s device';
  if (display.code) {
    show(
      fallbackNote(session) ?? '',
      el('p', { text: `Code ${sentTo}. Ask the caller to read it; compare with:` }),
      el('p', { class: 'code', 'aria-label': 'code to compare', text: display.code }),
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', class: 'primary', onclick: () => act('approve'), text: 'APPROVE' }),
        el('button', { type: 'button', onclick: () => act('deny'), text: 'DENY' }),
      ),
    );
    return;
  }
  const input = el('input', {
    id: 'code',
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: 12,
    required: true,
  });
  const message = el('p', { id: 'check-result', role: 'status' });
  const form = el(
    'form',
    {
      class: 'check',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const result = await call('POST', `/api/verifications/${session.id}/check`, { code: input.value });
          current.session = result.session;
          if (['approved', 'denied'].includes(result.session.status)) return outcome(result.session);
          message.textContent = `Incorrect code: ${result.attemptsLeft} attempt${result.attemptsLeft === 1 ? '' : 's'} left.`;
          input.value = '';
          input.focus();
        } catch (error) {
          if (error.code === 'session_expired' || error.code === 'session_closed') return refresh();
          message.textContent = error.message;
        }
      },
    },
    el('label', { for: 'code', text: 'Code the caller reads back' }),
    input,
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit', class: 'primary', text: 'VERIFY' }),
      el('button', { type: 'button', onclick: () => act('deny'), text: 'DENY' }),
    ),
  );
  show(fallbackNote(session) ?? '', el('p', { text: `Code ${sentTo}.` }), form, message);
  input.focus();
}

function pushStep() {
  const { session, display } = current;
  const total = Math.max(0, Math.round((session.expiresAt - session.updatedAt) / 1000));
  let left = total;
  const countdown = el('span', { id: 'countdown', text: String(left) });
  show(
    display.matchNumber
      ? el(
          'div',
          {},
          el('p', { text: 'Read this number to the caller; they type it into the app:' }),
          el('p', { class: 'code', id: 'match-number', text: display.matchNumber }),
        )
      : el('p', { text: 'Push sent to the end-user’s app.' }),
    el(
      'p',
      { role: 'status', id: 'push-status', 'data-status': 'waiting' },
      'Waiting for the end-user… ',
      countdown,
      ' s',
    ),
    el('button', { type: 'button', onclick: () => act('cancel'), text: 'CANCEL' }),
  );
  timer = setInterval(() => {
    left -= 1;
    countdown.textContent = String(Math.max(0, left));
    if (left <= 0) {
      clearInterval(timer);
      refresh();
    }
  }, 1000);
}

function render() {
  const { session } = current;
  if (['approved', 'denied', 'expired', 'cancelled', 'failed'].includes(session.status))
    return outcome(session);
  if (session.status === 'awaiting_push') return pushStep();
  if (session.status === 'sent' || session.status === 'awaiting_code') return codeStep();
}

async function refresh() {
  if (!current) return;
  try {
    const { session } = await call('GET', `/api/verifications/${current.session.id}`);
    const changed = session.status !== current.session.status;
    current.session = session;
    if (changed) {
      if (session.status === 'awaiting_code') current.display = {};
      render();
    }
  } catch (error) {
    show(problem(error));
  }
}

function listen(sessionId) {
  events = new EventSource(`/api/verifications/${sessionId}/events`);
  events.addEventListener('status', () => refresh());
}

async function act(action) {
  try {
    const { session } = await call('POST', `/api/verifications/${current.session.id}/${action}`);
    current.session = session;
    render();
  } catch (error) {
    if (error.code === 'session_closed' || error.code === 'session_expired') return refresh();
    flow.append(problem(error));
  }
}

async function start(body, form) {
  try {
    const result = await call('POST', '/api/verifications', body);
    current = { session: result.session, display: result.display };
    for (const f of document.querySelectorAll('form')) f.hidden = true;
    listen(result.session.id);
    render();
  } catch (error) {
    form.querySelector('.error')?.remove();
    form.append(problem(error));
  }
}

document.getElementById('send-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(e.target);
  let method = data.get('method');
  if (method === 'push' && data.get('pushCode')) method = 'push_code';
  start({ ticketId, method, codeMode: data.get('compare') ? 'compare' : 'verify' }, e.target);
});

document.getElementById('email-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(e.target);
  start({ ticketId, email: data.get('email'), method: data.get('method') }, e.target);
});
