import { call, el } from './api.js';

const list = document.getElementById('pending');
const none = document.getElementById('none');
const answer = document.getElementById('answer');
const deviceStatus = document.getElementById('device-status');
const enable = document.getElementById('enable-push');
let shown = '';

const deviceId = (() => {
  const key = 'qdesk-device-id';
  let id = localStorage.getItem(key);
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    localStorage.setItem(key, id);
  }
  return id;
})();

const permission = () => (typeof Notification === 'undefined' ? 'denied' : Notification.permission);

async function register() {
  const state = permission();
  // The app reports the permission it has: with notifications off, QDesk sends an SMS code instead of a push.
  await call('POST', '/api/self-serve/device', {
    deviceId,
    permission: state === 'default' ? 'default' : state,
    subscription: null,
  });
  deviceStatus.textContent =
    state === 'granted'
      ? 'Notifications are on.'
      : state === 'denied'
        ? 'Notifications are off: your helpdesk will text you a code instead.'
        : 'Notifications are not enabled yet; this page still shows requests.';
  deviceStatus.dataset.permission = state;
  enable.hidden = state !== 'default';
}

enable.addEventListener('click', async () => {
  if (typeof Notification !== 'undefined') await Notification.requestPermission();
  await register();
});

/** What the end-user reads after answering; a reverse check says whether the caller really is the technician. */
function answerText(challenge, status) {
  const { technicianName, mspName } = challenge.display;
  if (challenge.purpose === 'reverse') {
    if (status === 'approved') return `Confirmed: this is really ${technicianName} from ${mspName}.`;
    if (status === 'denied')
      return `Not confirmed: the number did not match. Give this caller nothing; hang up and call ${mspName} on the number you know.`;
    return `Status: ${status}`;
  }
  if (status === 'approved') return 'Approved. Your helpdesk sees that it was you.';
  if (status === 'denied')
    return 'Denied. Nothing was changed. If you did not call your helpdesk, tell your IT team.';
  return `Status: ${status}`;
}

async function sendAnswer(challenge, choice, number) {
  try {
    const result = await call('POST', '/api/self-serve/answer', {
      sessionId: challenge.challengeId,
      token: challenge.token,
      answer: choice,
      ...(number === undefined ? {} : { number }),
    });
    const text = result.code ? null : answerText(challenge, result.status);
    answer.replaceChildren(
      result.code
        ? el(
            'div',
            {},
            el('p', { text: 'Read this code to the technician:' }),
            el('p', { class: 'code', id: 'device-code', text: result.code }),
          )
        : el('p', { role: 'status', 'data-status': result.status, text }),
    );
    answer.hidden = false;
  } catch (error) {
    answer.replaceChildren(el('p', { class: 'error', role: 'alert', text: error.message }));
    answer.hidden = false;
  }
  await poll();
}

function render(challenges) {
  const key = challenges.map((c) => c.challengeId).join(',');
  if (key === shown) return;
  shown = key;
  list.replaceChildren(
    ...challenges.map((c) => {
      const reverse = c.purpose === 'reverse';
      const about = c.display.ticketNumber ? ` about ticket ${c.display.ticketNumber}` : '';
      // A reverse check has its own wording: the end-user is checking who is calling them, not being checked.
      const who = reverse
        ? `This is ${c.display.technicianName} from ${c.display.mspName}${about}. Ask them for the number on their screen and type it here.`
        : `${c.display.technicianName}${c.display.ticketNumber ? ` · ticket ${c.display.ticketNumber}` : ''}${c.display.companyName ? ` · ${c.display.companyName}` : ''}`;
      const item = el(
        'li',
        {
          class: 'card challenge',
          'data-challenge': c.challengeId,
          'data-method': c.method,
          'data-purpose': c.purpose,
        },
        el('p', { class: 'who', text: who }),
      );
      if (c.method === 'number_match') {
        const input = el('input', {
          name: 'number',
          inputmode: 'numeric',
          maxlength: 12,
          'aria-label': 'Number the technician reads to you',
          required: true,
        });
        item.append(
          el(
            'form',
            {
              onsubmit: (e) => {
                e.preventDefault();
                sendAnswer(c, 'number', input.value);
              },
            },
            el('label', {
              text: reverse
                ? 'Number on the technician’s screen'
                : 'Type the number the technician reads to you',
            }),
            input,
            el(
              'div',
              { class: 'actions' },
              el('button', { type: 'submit', class: 'primary', text: 'Submit' }),
              el('button', {
                type: 'button',
                onclick: () => sendAnswer(c, 'deny'),
                text: reverse ? 'I do not trust this call' : 'Deny',
              }),
            ),
          ),
        );
      } else {
        item.append(
          el(
            'div',
            { class: 'actions' },
            el('button', {
              type: 'button',
              class: 'primary',
              onclick: () => sendAnswer(c, 'approve'),
              text: 'Approve',
            }),
            el('button', { type: 'button', onclick: () => sendAnswer(c, 'deny'), text: 'Deny' }),
          ),
        );
      }
      return item;
    }),
  );
  none.hidden = challenges.length > 0;
}

async function poll() {
  try {
    const { challenges } = await call('GET', '/api/self-serve/pending');
    render(challenges);
  } catch {
    // A failed poll is retried on the next tick.
  }
}

await register();
await poll();
// Notifications can be off: the page polls for requests as well.
setInterval(poll, 1500);
