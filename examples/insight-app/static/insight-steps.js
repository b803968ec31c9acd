// The steps of the Insight's flow area, each drawn from the verification as it is: the push waiting (with the number
// to read out), the check mark and the code after a push + code's Approve, a code sent by SMS or email, another
// technician's verification with its take-over, and the outcome. Each takes the flow (`f`, see insight-flow.js):
// the verification shown (`f.current`), and what acting on it and drawing it need.
import { busy, call, el, tabStorage } from './api.js';
import {
  APPROVED_ON_DEVICE,
  CLOSED,
  closeLabel,
  displayKey,
  fallbackNote,
  METHOD_NAME,
  sentTo,
  WAITING,
} from './insight-words.js';

/** Errors that mean the verification moved on without this tab: read it again rather than show the error. */
export const GONE = ['session_closed', 'session_expired', 'forbidden', 'invalid_transition'];

/** A step's heading; focus moves to it when the step replaces the one before. */
const heading = (text) => el('h2', { id: 'step-h', tabindex: '-1', text });

const cancelButton = (f) =>
  el('button', { type: 'button', onclick: (e) => f.act('cancel', e.currentTarget), text: 'CANCEL' });
const startOverButton = (f) =>
  el('button', {
    type: 'button',
    class: 'secondary',
    text: 'Start over instead',
    onclick: () => f.startOver(),
  });

export function pushStep(f) {
  const { session, display } = f.current;
  const number = session.method === 'number_match';
  const h = heading(
    number
      ? display.matchNumber
        ? f.reverse()
          ? `Read this number to ${session.endUser.displayName}`
          : 'Read this number to the caller'
        : 'Number match sent'
      : 'Verification sent',
  );
  const body = number
    ? display.matchNumber
      ? [
          el('p', { class: 'code', id: 'match-number', text: display.matchNumber }),
          el('p', {
            class: 'muted',
            text: f.reverse()
              ? 'They type it in their self-serve app to check it is really you.'
              : 'They type it into their QDesk app when the request appears.',
          }),
        ]
      : [
          el('p', {
            class: 'note',
            text: 'The number to read out is shown only on the tab that sent it. The caller can still type the number they were read; or start over with a new one.',
          }),
        ]
    : [el('p', { text: `${METHOD_NAME[session.method]} sent to ${f.who().displayName}’s QDesk app.` })];
  const status = el(
    'p',
    { class: 'status', role: 'status', id: 'push-status', 'data-status': 'waiting' },
    el('span', { class: 'spinner', 'aria-hidden': 'true' }),
    WAITING,
  );
  f.show(
    [
      h,
      f.whoLine(f.reverse() ? 'Checking you with' : 'Verifying'),
      ...body,
      status,
      f.countdown(session),
      el('div', { class: 'actions' }, cancelButton(f), startOverButton(f)),
    ],
    h,
  );
}

/** The attempts line under a typed check. */
const attemptsText = (left) => `${left} attempt${left === 1 ? '' : 's'} left.`;

function verifyForm(f, session, label) {
  const input = el('input', {
    id: 'code',
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: 12,
    required: true,
    'aria-describedby': 'check-result',
  });
  const message = el('p', {
    id: 'check-result',
    role: 'status',
    text: attemptsText(session.maxAttempts - session.attempts),
  });
  const verify = el('button', { type: 'submit', class: 'primary', text: 'VERIFY' });
  const submit = async (e) => {
    e.preventDefault();
    try {
      const url = `/api/verifications/${session.id}/check`;
      const result = await busy(verify, () => call('POST', url, { code: input.value }), 'CHECKING…');
      f.current.session = result.session;
      if (CLOSED.includes(result.session.status)) return f.render();
      message.textContent = `Incorrect code: ${attemptsText(result.attemptsLeft)}`;
      input.value = '';
      input.focus();
    } catch (error) {
      if (error.code === 'network') return f.goOffline();
      if (GONE.includes(error.code)) return f.refresh(true);
      message.textContent = error.message;
    }
  };
  return el(
    'form',
    { class: 'check', onsubmit: submit },
    el('label', { for: 'code', text: label }),
    input,
    el(
      'div',
      { class: 'actions' },
      verify,
      el('button', { type: 'button', onclick: (e) => f.act('deny', e.currentTarget), text: 'DENY' }),
      cancelButton(f),
    ),
    message,
  );
}

/** Compare mode: the code this tab was given at send, APPROVE or DENY; another tab can only deny or start over. */
function compare(f, display, intro) {
  if (!display.code) {
    return [
      el('p', {
        class: 'note',
        text: 'The code to compare is shown only on the tab that sent it. Deny, or start over with a new one.',
      }),
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', onclick: (e) => f.act('deny', e.currentTarget), text: 'DENY' }),
        startOverButton(f),
      ),
    ];
  }
  return [
    el('p', { text: intro }),
    el('p', { class: 'code', id: 'compare-code', text: display.code }),
    el(
      'div',
      { class: 'actions' },
      el('button', {
        type: 'button',
        class: 'primary',
        onclick: (e) => f.act('approve', e.currentTarget),
        text: 'APPROVE',
      }),
      el('button', { type: 'button', onclick: (e) => f.act('deny', e.currentTarget), text: 'DENY' }),
    ),
  ];
}

/** Push + code after the end-user's Approve: the manual's check mark, then the code. */
export function approvedStep(f) {
  const { session, display } = f.current;
  const mark = el('p', {
    class: 'check-mark',
    id: 'device-approved',
    tabindex: '-1',
    text: APPROVED_ON_DEVICE,
  });
  const comparing = session.codeMode === 'compare';
  const status = el(
    'p',
    { class: 'status', role: 'status', id: 'push-status', 'data-status': 'device-approved' },
    comparing
      ? `${WAITING}: the caller reads you the code on their screen.`
      : 'The caller reads you the code on their screen.',
  );
  f.show(
    [
      heading('Verification sent'),
      f.whoLine('Verifying'),
      mark,
      status,
      f.countdown(session),
      ...(comparing
        ? compare(f, display, 'Compare it with:')
        : [verifyForm(f, session, 'Code the caller reads back')]),
    ],
    mark,
  );
}

/** A code went by SMS or email. */
export function codeStep(f) {
  const { session, display } = f.current;
  const h = heading(`Code sent: ${sentTo(session)}`);
  f.show(
    [
      h,
      f.whoLine('Verifying'),
      fallbackNote(session),
      f.countdown(session),
      ...(session.codeMode === 'compare'
        ? [
            ...compare(f, display, 'Ask the caller to read the code; compare it with:'),
            el('div', { class: 'actions' }, cancelButton(f)),
          ]
        : [verifyForm(f, session, 'Code the caller reads back')]),
    ],
    h,
  );
}

/** What another technician's verification is doing, in f.words (no number, no code). */
function liveText(session) {
  if (session.status === 'awaiting_push') return WAITING;
  if (session.status === 'awaiting_code') return `${APPROVED_ON_DEVICE}; waiting for the code check.`;
  if (session.status === 'sent') return `Code sent (${sentTo(session)}); waiting for the code check.`;
  return 'Nothing sent yet.';
}

/**
 * Another technician's verification: live, read-only, and an explicit take-over with a reason. Updated in place,
 * so a reason being typed survives the live updates.
 */
export function othersStep(f) {
  const { session } = f.current;
  const h = heading('Verification in progress');
  const owner = el('p', { id: 'owner', 'data-owner': session.technician.id });
  const what = el('p', { class: 'muted', id: 'in-progress' });
  const status = el('p', { class: 'status', role: 'status', id: 'push-status', 'data-status': 'others' });
  const timeLeft = el('span');
  const reason = el('input', {
    id: 'take-over-reason',
    required: true,
    minlength: 5,
    maxlength: 300,
    autocomplete: 'off',
  });
  const button = el('button', { type: 'submit', class: 'primary', text: 'TAKE OVER' });
  const message = el('p', { id: 'take-over-result', role: 'status' });
  const submit = async (e) => {
    e.preventDefault();
    try {
      const url = `/api/verifications/${f.current.session.id}/take-over`;
      const result = await busy(button, () => call('POST', url, { reason: reason.value }), 'TAKING OVER…');
      f.current.session = result.session;
      f.current.wasMine = false;
      f.render();
    } catch (error) {
      if (error.code === 'network') return f.goOffline();
      message.textContent = error.message;
    }
  };
  const update = (s) => {
    const name = s.technician.name;
    owner.dataset.owner = s.technician.id;
    owner.textContent = f.current.wasMine
      ? `This verification now belongs to ${name}: they took it over, so you can no longer act on it.`
      : `This verification belongs to ${name}. Take it over to continue; your reason is recorded.`;
    what.textContent = `${s.method ? METHOD_NAME[s.method] : 'Nothing sent yet'} for ${s.endUser.displayName}, by ${name}.`;
    status.textContent = liveText(s);
    timeLeft.replaceChildren(f.countdown(s));
  };
  update(session);
  f.show(
    [
      h,
      owner,
      what,
      status,
      timeLeft,
      el(
        'form',
        { class: 'take-over', onsubmit: submit },
        el('label', { for: 'take-over-reason', text: 'Why you are taking it over' }),
        reason,
        el('div', { class: 'actions' }, button),
      ),
      message,
    ],
    h,
  );
  return update;
}

export function outcome(f, session) {
  f.stopLive();
  tabStorage.removeItem(displayKey(session.id));
  const ok = session.status === 'approved';
  const reason = session.outcomeReason ?? null;
  const headline = (f.reverse() ? f.words.reverseOutcome : f.words.outcome)[session.status] ?? session.status;
  const prefix = f.reverse() ? (ok ? 'Confirmed by' : 'Not confirmed by') : ok ? 'Verified' : 'Not verified';
  const line = el('p', {
    class: `outcome ${ok ? 'ok' : 'bad'}`,
    role: 'status',
    tabindex: '-1',
    'data-status': session.status,
    'data-reason': reason ?? '',
    text: headline,
  });
  f.show(
    [
      line,
      !ok && reason
        ? el('p', { class: 'outcome-reason', id: 'outcome-reason', text: f.words.reason[reason] })
        : null,
      f.whoLine(prefix),
      el('button', {
        type: 'button',
        class: ok ? 'primary' : '',
        onclick: f.reset,
        text: ok ? 'OK' : closeLabel(reason),
      }),
    ],
    line,
  );
}
