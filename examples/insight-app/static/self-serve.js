import { busy, call, el, newKey } from './api.js';
import { ANNOUNCE_AT } from './countdown.js';
import { arrivalText, clockTime, closedText, left, resultText } from './self-serve-words.js';

// The end-user's phone page. It polls for requests (notifications can be off), counts each one down in the server's
// time, and says in plain words what each answer did. One polite live region speaks for the list: a new request,
// 30 and 10 seconds left, a request that closed without this phone answering it. After the end-user answers, focus
// moves to the result, which a screen reader then reads. Below, the end-user's devices, each with a Remove button.

const list = document.getElementById('pending');
const none = document.getElementById('none');
const answer = document.getElementById('answer');
const announcer = document.getElementById('announcer');
const deviceStatus = document.getElementById('device-status');
const enable = document.getElementById('enable-push');
const deviceList = document.getElementById('devices');
const devicesNone = document.getElementById('devices-none');
const devicesStatus = document.getElementById('devices-status');

const POLL_MS = 1500;

/** The requests on screen, by challenge id: the challenge, its list item, its countdown, what was announced. */
const shown = new Map();
/** Requests this phone answered: they leave the list without a "closed" line. */
const answered = new Set();
/** Requests that left the list: never put back, even if a late poll still lists one. */
const gone = new Set();
/** Server time minus this phone's time, from the last poll: the countdown runs on the server's clock. */
let offset = 0;
let firstPoll = true;
/** The push + code request whose code is on screen, watched until it closes. */
let codeFor = null;

const serverNow = () => Date.now() + offset;

const DEVICE_KEY = 'qdesk-device-id';
const deviceId = (() => {
  const key = DEVICE_KEY;
  let id = localStorage.getItem(key);
  if (!id) {
    // `newKey` also works where `crypto.randomUUID` is missing: a phone opening the demo over plain http on a LAN.
    id = `web-${newKey()}`;
    localStorage.setItem(key, id);
  }
  return id;
})();

// ---- announcements

/** Says `lines` once through the polite live region (cleared first, so the same words twice are said twice). */
function announce(lines) {
  if (lines.length === 0) return;
  announcer.textContent = '';
  requestAnimationFrame(() => {
    announcer.textContent = lines.join(' ');
  });
}

// ---- notifications on this device

const supported = typeof Notification !== 'undefined';
const permission = () => (supported ? Notification.permission : 'denied');
let config = null;

const base64urlBytes = (value) =>
  Uint8Array.from(atob(value.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/**
 * The Web Push subscription to register, when the server has VAPID keys and notifications are allowed; `null` when
 * there is none to send, `false` when subscribing failed (the page then says the phone will not be alerted).
 */
async function subscription(state) {
  config ??= await call('GET', '/api/self-serve/config').catch(() => ({ vapidPublicKey: null }));
  if (state !== 'granted' || !config.vapidPublicKey) return null;
  if (!('serviceWorker' in navigator) || !('PushManager' in globalThis)) return false;
  try {
    const registration = await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
    const current =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64urlBytes(config.vapidPublicKey),
      }));
    const { endpoint, keys } = current.toJSON();
    return { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
  } catch {
    return false;
  }
}

/** Reports this browser's notification permission (QDesk picks the route by it) and explains it in plain words. */
async function register() {
  const state = permission();
  const sub = await subscription(state);
  await call('POST', '/api/self-serve/device', {
    deviceId,
    permission: state,
    subscription: sub || null,
  }).catch(() => undefined);
  const words = !supported ? 'unsupported' : sub === false ? 'unregistered' : state;
  for (const p of deviceStatus.querySelectorAll('[data-state]')) p.hidden = p.dataset.state !== words;
  deviceStatus.dataset.permission = state;
  // The browser asks only from `default`: once denied, only its site settings can change it, so no button there.
  enable.hidden = !(supported && state === 'default');
}

enable.addEventListener('click', () =>
  busy(enable, async () => {
    await Notification.requestPermission();
    await register();
    // The button may have gone: focus the sentence that now says where notifications stand.
    deviceStatus.focus();
    await listDevices();
  }),
);

// A change in the browser's site settings shows at once.
navigator.permissions
  ?.query({ name: 'notifications' })
  .then((status) => {
    status.onchange = () => register().then(listDevices);
  })
  .catch(() => undefined);

// ---- your devices

const PERMISSION_WORDS = {
  granted: 'Notifications on',
  denied: 'Notifications blocked',
  default: 'Notifications not turned on',
  unknown: 'Notifications not reported',
};

const seenText = (ms) =>
  ms === null
    ? 'Not seen yet'
    : `Last seen ${new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}`;

/** The end-user's devices, this one first (the server marks it by the id this browser keeps). */
async function listDevices() {
  try {
    const { devices } = await call('GET', `/api/self-serve/devices?current=${encodeURIComponent(deviceId)}`);
    deviceList.replaceChildren(...devices.map(deviceItem));
    devicesNone.textContent = 'No devices yet: allow notifications above to add this one.';
    devicesNone.hidden = devices.length > 0;
  } catch (error) {
    devicesNone.textContent = error.status === 401 ? 'You are signed out on this phone.' : error.message;
    devicesNone.hidden = false;
  }
}

/** One device: its name, what it last reported, and a Remove button whose accessible name says which device. */
function deviceItem(device) {
  const name = device.current ? `${device.label} (this device)` : device.label;
  const remove = el(
    'button',
    { type: 'button', onclick: () => removeDevice(device, name, remove) },
    'Remove',
    el('span', { class: 'sr', text: ` ${name}` }),
  );
  return el(
    'li',
    { 'data-device': device.id },
    el(
      'div',
      { class: 'about' },
      el('p', { class: device.current ? 'this' : null, text: name }),
      el('p', {
        class: 'muted',
        text: `${PERMISSION_WORDS[device.notificationPermission] ?? PERMISSION_WORDS.unknown} · ${seenText(device.lastSeenAt)}`,
      }),
    ),
    remove,
  );
}

/**
 * Removes a device after the end-user's click. Removing this very device asks first, then signs this browser out:
 * a browser that is no longer one of their devices should not keep answering for them.
 */
async function removeDevice(device, name, button) {
  if (
    device.current &&
    !confirm('Remove this device? Your helpdesk can no longer reach you here, and this browser signs out.')
  )
    return;
  await busy(button, async () => {
    try {
      await call('DELETE', `/api/self-serve/devices/${encodeURIComponent(device.id)}`);
    } catch (error) {
      devicesStatus.textContent = error.message;
      return;
    }
    if (device.current) {
      localStorage.removeItem(DEVICE_KEY);
      await fetch('/self-serve/sign-out', { method: 'POST', credentials: 'same-origin' }).catch(
        () => undefined,
      );
      location.assign('/self-serve');
      return;
    }
    await listDevices();
    // Said once the list shows it gone, so what is announced and what is on screen agree.
    devicesStatus.textContent = `${name} was removed.`;
    // The button is gone with its row: focus goes to the list's heading, and the status line says what happened.
    document.getElementById('devices-h').focus();
  });
}

/** Closes the notification of a request that left the list, so the lock screen does not offer a closed request. */
async function closeNotification(challengeId) {
  const registration = await navigator.serviceWorker?.getRegistration?.().catch(() => undefined);
  for (const n of (await registration?.getNotifications({ tag: challengeId })) ?? []) n.close();
}

// ---- the result area

/** Shows one result; `focus` moves focus to it (after the end-user's own answer). `kind` says what it holds. */
function showResult(kind, children, { focus = false, tone = null } = {}) {
  answer.replaceChildren(...children);
  answer.dataset.kind = kind;
  delete answer.dataset.render;
  if (tone) answer.dataset.tone = tone;
  else delete answer.dataset.tone;
  answer.hidden = false;
  if (focus) answer.focus();
}

function clearResult() {
  answer.replaceChildren();
  answer.hidden = true;
  delete answer.dataset.kind;
  delete answer.dataset.render;
  codeFor = null;
}

function showCode(challenge, code) {
  codeFor = challenge;
  showResult(
    'code',
    [
      el('h3', { text: 'Your code' }),
      el('p', { class: 'code', id: 'device-code', text: code }),
      el('p', {
        text: `Read this code to ${challenge.display.technicianName} on the phone. Do not give it to anyone else.`,
      }),
      el('p', {
        class: 'muted',
        text: 'The code disappears once your helpdesk has checked it, the request closes or a newer request arrives.',
      }),
    ],
    { focus: true, tone: 'ok' },
  );
}

/** The code's request closed: take the code off the screen and say how it ended. */
function closeCode(challenge, reason) {
  const text =
    reason === 'approved'
      ? `${challenge.display.technicianName} checked your code: you are verified. Nothing more to do.`
      : reason === 'technician_denied'
        ? `${challenge.display.technicianName} did not accept the code. Nothing was approved.`
        : closedText(challenge, reason);
  showResult('closed', [el('p', { 'data-status': reason ?? 'closed', text })], {
    tone: reason === 'approved' ? 'ok' : null,
  });
  announce([text]);
}

// ---- answering

async function requestState(challengeId) {
  return call('GET', `/api/self-serve/requests/${encodeURIComponent(challengeId)}`).catch(() => null);
}

async function sendAnswer(entry, choice, number) {
  const { challenge, item } = entry;
  const buttons = [...item.querySelectorAll('button, input')];
  for (const b of buttons) b.disabled = true;
  try {
    const result = await call('POST', '/api/self-serve/answer', {
      sessionId: challenge.challengeId,
      token: challenge.token,
      answer: choice,
      ...(number === undefined ? {} : { number }),
    });
    answered.add(challenge.challengeId);
    removeItem(challenge.challengeId);
    if (result.code) {
      showCode(challenge, result.code);
    } else {
      const reason = result.reason ?? (result.status === 'approved' ? 'approved' : null);
      showResult(
        'result',
        [el('p', { 'data-status': result.status, text: resultText(challenge, choice, reason) })],
        {
          focus: true,
          tone: reason === 'approved' ? 'ok' : 'bad',
        },
      );
    }
  } catch (error) {
    if (error.code === 'session_closed') {
      // It closed between the last poll and this answer: say how, instead of an error.
      answered.add(challenge.challengeId);
      removeItem(challenge.challengeId);
      const state = await requestState(challenge.challengeId);
      const text = closedText(challenge, state?.reason ?? null);
      showResult('closed', [el('p', { 'data-status': state?.status ?? 'closed', text })], { focus: true });
    } else {
      for (const b of buttons) b.disabled = false;
      const text =
        error.code === 'end_user_locked'
          ? 'Too many numbers did not match, so your account is paused. Your IT team must unlock it before you can answer again; call your helpdesk on the number you know.'
          : error.code === 'unauthorized'
            ? 'This request changed since the page showed it. Check the list and answer the newest request.'
            : error.message;
      showResult('error', [el('p', { class: 'error', text })], { focus: true, tone: 'bad' });
    }
  }
  await poll();
}

// ---- the list

function challengeItem(entry) {
  const c = entry.challenge;
  const id = c.challengeId;
  const reverse = c.purpose === 'reverse';
  const name = c.display.technicianName;
  const about = c.display.ticketNumber ? ` about ticket ${c.display.ticketNumber}` : '';
  // A reverse check has its own wording: the end-user is checking who is calling them, not being checked.
  const who = reverse
    ? `This is ${name} from ${c.display.mspName}${about}. Ask them for the number on their screen and type it here.`
    : `${name}${c.display.ticketNumber ? ` · ticket ${c.display.ticketNumber}` : ''}${c.display.companyName ? ` · ${c.display.companyName}` : ''}`;
  const how = reverse
    ? null
    : c.method === 'number_match'
      ? `${name} reads you a number. Type it here; a wrong number closes the request.`
      : c.method === 'push_code'
        ? `Approve to get a code, then read the code to ${name}.`
        : `Approve only if you are on the phone with ${name} right now.`;
  entry.countdown = el('span', { class: 'countdown' });
  const item = el(
    'li',
    { class: 'card challenge', 'data-challenge': id, 'data-method': c.method, 'data-purpose': c.purpose },
    el('h3', { text: reverse ? 'Check who is calling you' : 'Confirm it is you' }),
    el('p', { class: 'who', id: `who-${id}`, text: who }),
    how ? el('p', { class: 'how', text: how }) : null,
    el(
      'p',
      { class: 'expires' },
      entry.countdown,
      ' · until ',
      el('time', { datetime: new Date(c.expiresAt).toISOString(), text: clockTime(c.expiresAt) }),
    ),
  );
  const deny = el('button', {
    type: 'button',
    class: 'deny',
    'aria-describedby': `who-${id}`,
    onclick: () => sendAnswer(entry, 'deny'),
    text: reverse ? 'I do not trust this call' : 'Deny',
  });
  if (c.method === 'number_match') {
    const input = el('input', {
      id: `number-${id}`,
      name: 'number',
      inputmode: 'numeric',
      autocomplete: 'off',
      maxlength: 12,
      required: true,
    });
    item.append(
      el(
        'form',
        {
          onsubmit: (e) => {
            e.preventDefault();
            sendAnswer(entry, 'number', input.value.trim());
          },
        },
        el('label', {
          for: input.id,
          text: reverse
            ? 'Number the technician reads to you from their screen'
            : 'Number the technician reads to you',
        }),
        input,
        el(
          'div',
          { class: 'actions' },
          el('button', { type: 'submit', class: 'primary', 'aria-describedby': `who-${id}`, text: 'Submit' }),
          deny,
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
          'aria-describedby': `who-${id}`,
          onclick: () => sendAnswer(entry, 'approve'),
          text: 'Approve',
        }),
        deny,
      ),
    );
  }
  return item;
}

/** Takes a request off the list for good; whoever calls this shows (and focuses) what became of it. */
function removeItem(challengeId) {
  const entry = shown.get(challengeId);
  if (!entry) return;
  shown.delete(challengeId);
  gone.add(challengeId);
  entry.item.remove();
  none.hidden = shown.size > 0;
  closeNotification(challengeId).catch(() => undefined);
}

/** Results shown by this render: a request arriving in the same poll does not clear them (a "replaced" line). */
let renderSeq = 0;

/** A request left the list without this phone answering it: say why, once, in the result area and out loud. */
function closedLine(entry, reason, lines) {
  const text = closedText(entry.challenge, reason);
  showResult('closed', [el('p', { 'data-status': reason ?? 'closed', text })], { focus: entry.hadFocus });
  answer.dataset.render = String(renderSeq);
  lines.push(text);
}

/** Takes a request off the list, remembering whether focus was in it (it then moves to the line saying why). */
function takeOff(entry) {
  entry.hadFocus = entry.item.contains(document.activeElement);
  removeItem(entry.challenge.challengeId);
}

/** Updates each countdown; pushes the 30 s, 10 s and expiry lines once each; takes an expired request off the list. */
function tick(lines) {
  for (const entry of [...shown.values()]) {
    const remaining = entry.challenge.expiresAt - serverNow();
    if (remaining <= 0) {
      takeOff(entry);
      closedLine(entry, 'expired', lines);
      continue;
    }
    entry.countdown.textContent = `Expires in ${left(remaining)}`;
    for (const s of ANNOUNCE_AT) {
      if (remaining <= s * 1000 && !entry.warned.has(s)) {
        entry.warned.add(s);
        lines.push(`The request from ${entry.challenge.display.technicianName} expires in ${s} seconds.`);
      }
    }
  }
  return lines;
}

/** The same request sent again: a new token to answer with and a new deadline, kept in place with what was typed. */
function renew(entry, c) {
  entry.challenge = c;
  const time = entry.item.querySelector('.expires time');
  time.setAttribute('datetime', new Date(c.expiresAt).toISOString());
  time.textContent = clockTime(c.expiresAt);
  const remaining = c.expiresAt - serverNow();
  entry.warned = new Set(ANNOUNCE_AT.filter((s) => remaining <= s * 1000));
}

async function render(challenges) {
  renderSeq += 1;
  const lines = [];
  const listed = new Set(challenges.map((c) => c.challengeId));
  for (const entry of [...shown.values()]) {
    const id = entry.challenge.challengeId;
    if (listed.has(id)) continue;
    const expired = serverNow() >= entry.challenge.expiresAt;
    takeOff(entry);
    if (answered.has(id)) continue;
    closedLine(entry, expired ? 'expired' : ((await requestState(id))?.reason ?? null), lines);
  }
  for (const c of challenges) {
    const entry = shown.get(c.challengeId);
    if (entry && (entry.challenge.token !== c.token || entry.challenge.expiresAt !== c.expiresAt))
      renew(entry, c);
  }
  const arrivals = challenges.filter((c) => !shown.has(c.challengeId) && !gone.has(c.challengeId));
  // A code, or what an earlier request came to, never stands next to a newer request: it is not about that one.
  // A line from this same poll stays (the request it replaced is why the new one is here).
  if (arrivals.length > 0 && !answer.hidden && answer.dataset.render !== String(renderSeq)) clearResult();
  for (const c of arrivals) {
    const remaining = c.expiresAt - serverNow();
    // Thresholds already passed when the request first shows are not announced late.
    const entry = { challenge: c, warned: new Set(ANNOUNCE_AT.filter((s) => remaining <= s * 1000)) };
    entry.item = challengeItem(entry);
    const before = [...shown.values()].find((e) => e.challenge.expiresAt > c.expiresAt);
    list.insertBefore(entry.item, before ? before.item : null);
    shown.set(c.challengeId, entry);
    // A request already there when the page opens is read with the page; only one that arrives later is announced.
    if (!firstPoll) lines.push(arrivalText(c));
  }
  none.textContent = 'Nothing waiting.';
  none.hidden = shown.size > 0;
  announce(tick(lines));
}

/** Watches the request whose code is on screen; the code goes once the request is no longer waiting for it. */
async function watchCode() {
  const challenge = codeFor;
  if (!challenge) return;
  const state = await requestState(challenge.challengeId);
  if (codeFor !== challenge || !state || state.status === 'awaiting_code') return;
  codeFor = null;
  closeCode(challenge, state.reason);
}

let polling = false;
async function poll() {
  if (polling) return;
  polling = true;
  try {
    const { challenges, now } = await call('GET', '/api/self-serve/pending');
    offset = now - Date.now();
    await render(challenges);
    firstPoll = false;
    await watchCode();
  } catch (error) {
    // Signed out elsewhere (or the sign-in lapsed): say so rather than look for requests forever. Anything else is
    // retried on the next tick.
    if (error.status === 401) {
      none.textContent = 'You are signed out on this phone. Reload the page to sign in again.';
      none.hidden = false;
    }
  } finally {
    polling = false;
  }
}

// The service worker makes the page installable as an app, with or without Web Push.
navigator.serviceWorker?.register('/sw.js').catch(() => undefined);
await Promise.all([poll(), register().then(listDevices)]);
// Notifications can be off: the page polls for requests as well, and counts down every second.
setInterval(poll, POLL_MS);
setInterval(() => announce(tick([])), 1000);
