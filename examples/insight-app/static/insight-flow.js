// The flow area of the Insight: one verification (or technician check) from SEND to its outcome, live by
// Server-Sent Events, resumable after a reload, and handed over to another technician only by an audited take-over.
import { busy, call, el } from './api.js';
import {
  CLOSED,
  displayKey,
  fallbackNote,
  keepDisplay,
  keptDisplay,
  OUTCOME,
  REVERSE_OUTCOME,
  whoText,
} from './insight-words.js';

/**
 * @param box the flow element
 * @param options.me the signed-in technician's id
 * @param options.showForms shows (true) or hides the start forms
 */
export function createFlow(box, { me, showForms }) {
  let current = null; // { session, display, endUser, offset }
  let events = null;
  let timer = null;

  const stopLive = () => {
    events?.close();
    events = null;
    clearInterval(timer);
    timer = null;
  };
  const show = (...nodes) => {
    box.replaceChildren(...nodes.filter(Boolean));
    box.hidden = false;
  };
  const problem = (error) => el('p', { class: 'error', role: 'alert', text: error.message });
  const reverse = () => current.session.purpose === 'reverse';
  const whoLine = (prefix) =>
    current.endUser
      ? el('p', { class: 'who-line', text: `${prefix}: ${whoText(current.endUser)}` })
      : el('p', { class: 'who-line', text: `${prefix}: ${current.session.endUser.displayName}` });
  // Server time: the app's clock decides deadlines (a test clock in the browser tests), not the browser's.
  const serverNow = () => Date.now() + (current?.offset ?? 0);

  function reset() {
    stopLive();
    current = null;
    box.hidden = true;
    box.replaceChildren();
    showForms(true);
  }

  function outcome(session) {
    stopLive();
    sessionStorage.removeItem(displayKey(session.id));
    const ok = session.status === 'approved';
    const text = (reverse() ? REVERSE_OUTCOME : OUTCOME)[session.status] ?? session.status;
    const prefix = reverse() ? (ok ? 'Confirmed by' : 'Not confirmed by') : ok ? 'Verified' : 'Not verified';
    show(
      el('p', { class: `outcome ${ok ? 'ok' : 'bad'}`, role: 'status', 'data-status': session.status, text }),
      whoLine(prefix),
      el('button', {
        type: 'button',
        class: ok ? 'primary' : '',
        onclick: reset,
        text: ok || session.status === 'expired' ? 'OK' : 'CANCEL',
      }),
    );
  }

  const cancelButton = () => el('button', { type: 'button', onclick: () => act('cancel'), text: 'CANCEL' });

  function codeStep() {
    const { session, display } = current;
    const sentTo =
      session.status === 'sent'
        ? `sent by ${session.route.toUpperCase()} to ${session.destination}`
        : 'shown on the end-user’s device';
    if (session.codeMode === 'compare' && session.status === 'sent') {
      show(
        whoLine('Verifying'),
        fallbackNote(session),
        ...(display.code
          ? [
              el('p', { text: `Code ${sentTo}. Ask the caller to read it; compare with:` }),
              el('p', { class: 'code', 'aria-label': 'code to compare', text: display.code }),
            ]
          : [
              el('p', {
                text: 'The code to compare was shown when it was sent. Cancel, then send a new one.',
              }),
            ]),
        el(
          'div',
          { class: 'actions' },
          display.code &&
            el('button', {
              type: 'button',
              class: 'primary',
              onclick: () => act('approve'),
              text: 'APPROVE',
            }),
          el('button', { type: 'button', onclick: () => act('deny'), text: 'DENY' }),
          !display.code && cancelButton(),
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
    const verify = el('button', { type: 'submit', class: 'primary', text: 'VERIFY' });
    const form = el(
      'form',
      {
        class: 'check',
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            const url = `/api/verifications/${session.id}/check`;
            const result = await busy(verify, () => call('POST', url, { code: input.value }));
            current.session = result.session;
            if (CLOSED.includes(result.session.status)) return outcome(result.session);
            message.textContent = `Incorrect code: ${result.attemptsLeft} attempt${result.attemptsLeft === 1 ? '' : 's'} left.`;
            input.value = '';
            input.focus();
          } catch (error) {
            if (['session_expired', 'session_closed', 'forbidden'].includes(error.code)) return refresh(true);
            message.textContent = error.message;
          }
        },
      },
      el('label', { for: 'code', text: 'Code the caller reads back' }),
      input,
      el(
        'div',
        { class: 'actions' },
        verify,
        el('button', { type: 'button', onclick: () => act('deny'), text: 'DENY' }),
      ),
    );
    show(whoLine('Verifying'), fallbackNote(session), el('p', { text: `Code ${sentTo}.` }), form, message);
    input.focus();
  }

  function pushStep() {
    const { session, display } = current;
    let left = Math.max(0, Math.round((session.expiresAt - serverNow()) / 1000));
    const countdown = el('span', { id: 'countdown', text: String(left) });
    const lost = el('p', {
      text: 'The number was shown when it was sent and is not shown again. Cancel, then send a new one.',
    });
    const number = display.matchNumber
      ? el(
          'div',
          {},
          el('p', {
            text: reverse()
              ? `Read this number to ${session.endUser.displayName}; they type it in their self-serve app to check it is really you:`
              : 'Read this number to the caller; they type it into the app:',
          }),
          el('p', { class: 'code', id: 'match-number', text: display.matchNumber }),
        )
      : lost;
    show(
      whoLine(reverse() ? 'Checking you with' : 'Verifying'),
      session.method === 'number_match' ? number : el('p', { text: 'Push sent to the end-user’s app.' }),
      el(
        'p',
        { role: 'status', id: 'push-status', 'data-status': 'waiting' },
        `Waiting for ${reverse() ? session.endUser.displayName : 'the end-user'}… `,
        countdown,
        ' s',
      ),
      cancelButton(),
    );
    timer = setInterval(() => {
      left -= 1;
      countdown.textContent = String(Math.max(0, left));
      if (left <= 0) {
        clearInterval(timer);
        refresh(true);
      }
    }, 1000);
  }

  function takeOverStep() {
    const { session } = current;
    const reason = el('input', { id: 'take-over-reason', required: true, minlength: 5, maxlength: 300 });
    const button = el('button', { type: 'submit', class: 'primary', text: 'TAKE OVER' });
    const message = el('p', { role: 'status' });
    const submit = async (e) => {
      e.preventDefault();
      try {
        const url = `/api/verifications/${session.id}/take-over`;
        const result = await busy(button, () => call('POST', url, { reason: reason.value }));
        current.session = result.session;
        render();
      } catch (error) {
        message.textContent = error.message;
      }
    };
    show(
      whoLine('Verifying'),
      el('p', {
        id: 'owner',
        'data-owner': session.technician.id,
        text: `This verification belongs to ${session.technician.name}. Take it over to continue; your reason is recorded.`,
      }),
      el(
        'form',
        { class: 'take-over', onsubmit: submit },
        el('label', { for: 'take-over-reason', text: 'Why you are taking it over' }),
        reason,
        el('div', { class: 'actions' }, button),
      ),
      message,
    );
  }

  function render() {
    stopTimer();
    const { session } = current;
    if (session.status === 'idle' && session.technician.id === me) {
      // Nothing sent yet: the start forms send on this same session (the ticket keeps one).
      return reset();
    }
    showForms(false);
    if (CLOSED.includes(session.status)) return outcome(session);
    if (session.technician.id !== me) return takeOverStep();
    listen(session.id);
    if (session.status === 'awaiting_push') return pushStep();
    return codeStep();
  }

  function stopTimer() {
    clearInterval(timer);
    timer = null;
  }

  async function refresh(force = false) {
    if (!current) return;
    try {
      const { session, now } = await call('GET', `/api/verifications/${current.session.id}`);
      const changed =
        force ||
        session.status !== current.session.status ||
        session.technician.id !== current.session.technician.id;
      current.session = session;
      if (typeof now === 'number') current.offset = now - Date.now();
      if (changed) render();
    } catch (error) {
      show(problem(error));
    }
  }

  function listen(sessionId) {
    if (events) return;
    events = new EventSource(`/api/verifications/${sessionId}/events`);
    events.addEventListener('status', () => refresh());
  }

  async function act(action) {
    try {
      const { session } = await call('POST', `/api/verifications/${current.session.id}/${action}`);
      current.session = session;
      render();
    } catch (error) {
      if (['session_closed', 'session_expired', 'forbidden'].includes(error.code)) return refresh(true);
      box.append(problem(error));
    }
  }

  return {
    /** A start or reverse answered: show its step (a resumed one shows what this tab kept of its display). */
    begin(result) {
      keepDisplay(result.session.id, result.display);
      const display = result.display?.matchNumber || result.display?.code ? result.display : null;
      current = {
        session: result.session,
        display: display ?? keptDisplay(result.session.id),
        endUser: result.endUser,
        offset: typeof result.now === 'number' ? result.now - Date.now() : 0,
      };
      render();
    },
    /** The ticket's verification in progress, found on page load: pick it up where it is. */
    async resume(sessionId, endUser) {
      current = {
        session: { id: sessionId, status: 'unknown', technician: {} },
        display: keptDisplay(sessionId),
        endUser,
        offset: 0,
      };
      await refresh(true);
    },
  };
}
