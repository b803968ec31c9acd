// The flow area of the Insight: one verification (or technician check) from SEND to its outcome, live by
// Server-Sent Events. The ticket owns the verification, not the tab: a reload, Back, a second tab or another
// technician shows the one in progress; only the technician it belongs to acts on it, and another one takes it over
// by an audited action. A dropped connection is said in words and caught up on when it comes back.
import { busy, call, el, tabStorage } from './api.js';
import { ANNOUNCE_AT, mmss } from './countdown.js';
import { approvedStep, codeStep, GONE, othersStep, outcome, pushStep } from './insight-steps.js';
import {
  announceLeft,
  BACK_ONLINE,
  CLOSED,
  keepDisplay,
  keptDisplay,
  OFFLINE_DURING,
  OFFLINE_IDLE,
  shownKey,
  TIME_UP,
  whoText,
} from './insight-words.js';

/**
 * @param box the flow element
 * @param options.me the signed-in technician's id
 * @param options.ticketId the ticket: this tab remembers the verification it shows until its outcome is closed
 * @param options.words core's outcome texts: { outcome, reverseOutcome, reason }
 * @param options.announcer a polite live region for the countdown's few announcements
 * @param options.connection a status line for the connection
 * @param options.showForms shows (true) or hides the start forms; returns the element to focus when shown
 * @param options.startOver shows the start forms to replace the verification in progress
 */
export function createFlow(box, { me, ticketId, words, announcer, connection, showForms, startOver }) {
  let current = null; // { session, display, endUser, offset, wasMine }
  let view = null; // { key, update(session) }
  let parked = false; // the technician chose "Start over instead" and is picking a method
  let events = null;
  let timer = null;
  let offline = false;
  let retry = null;
  let retryDelay = 2000;

  // Server time: the app's clock decides deadlines (a test clock in the browser tests), not the browser's.
  const serverNow = () => Date.now() + (current?.offset ?? 0);
  const reverse = () => current.session.purpose === 'reverse';
  const mine = () => current.session.technician?.id === me;
  const who = () => current.endUser ?? current.session.endUser;
  const whoLine = (prefix) =>
    el('p', {
      class: 'who-line',
      text: `${prefix}: ${current.endUser ? whoText(current.endUser) : current.session.endUser.displayName}`,
    });
  const problem = (error) => el('p', { class: 'error', role: 'alert', text: error.message });

  function stopLive() {
    events?.close();
    events = null;
    clearInterval(timer);
    timer = null;
  }

  /** True when focus is nowhere useful: on the page itself, or on something just removed or hidden. */
  function focusLost() {
    const a = document.activeElement;
    return !a || a === document.body || !a.isConnected || box.contains(a) || Boolean(a.closest('[hidden]'));
  }

  /** Replaces the step; focus follows to `focus` when it was in the flow or lost (never taken from elsewhere). */
  function show(nodes, focus) {
    box.replaceChildren(...nodes.filter(Boolean));
    box.hidden = false;
    showForms(false);
    if (focus && focusLost()) focus.focus();
  }

  function reset() {
    stopLive();
    tabStorage.removeItem(shownKey(ticketId));
    current = null;
    view = null;
    parked = false;
    box.hidden = true;
    box.replaceChildren();
    connection.textContent = offline ? OFFLINE_IDLE : '';
    const first = showForms(true);
    if (focusLost()) first?.focus();
  }

  /** A session that cannot be read (gone, or not this tenant's): say so, and back to the start forms. */
  function failure(error) {
    stopLive();
    const message = el('p', { class: 'error', role: 'alert', tabindex: '-1', text: error.message });
    show([message, el('button', { type: 'button', onclick: reset, text: 'OK' })], message);
  }

  // ---- the countdown: drawn every second, read out only at 30 s, 10 s and the end.

  function countdown(session, prefix = 'Time left') {
    const shown = el('span', { class: 'countdown', id: 'countdown', 'aria-hidden': 'true' });
    const line = el('span', { class: 'time-left', 'aria-hidden': 'true' }, `${prefix} `, shown);
    const left = () => Math.max(0, Math.ceil((session.expiresAt - serverNow()) / 1000));
    const first = left();
    const said = new Set(ANNOUNCE_AT.filter((s) => first <= s)); // read out only thresholds still ahead
    const tick = () => {
      const s = left();
      shown.textContent = mmss(s);
      for (const at of ANNOUNCE_AT) {
        if (s <= at && s > 0 && !said.has(at)) {
          said.add(at);
          announcer.textContent = announceLeft(at);
        }
      }
      if (s === 0) {
        clearInterval(timer);
        timer = null;
        announcer.textContent = TIME_UP;
        refresh(true);
      }
    };
    tick();
    clearInterval(timer);
    timer = setInterval(tick, 1000);
    return line;
  }

  // ---- the steps

  // What the steps (insight-steps.js) read and call: the verification shown, and the flow's own actions.
  const f = {
    get current() {
      return current;
    },
    words,
    act: (action, button) => act(action, button),
    show,
    countdown,
    render: () => render(),
    refresh: (force) => refresh(force),
    goOffline: () => goOffline(),
    reset,
    stopLive,
    reverse,
    who,
    whoLine,
    /** "Start over instead": the start forms replace the verification in progress once one is sent. */
    startOver() {
      parked = true;
      box.hidden = true;
      startOver(current.session);
    },
  };

  /** Shows the session as it is now; a step already on screen is only updated, never drawn again for nothing. */
  function render() {
    const { session } = current;
    if (session.status === 'idle' && mine()) return reset(); // nothing sent: the start forms send on this session
    if (CLOSED.includes(session.status)) {
      parked = false;
      view = { key: `closed:${session.id}` };
      return outcome(f, session);
    }
    if (mine()) current.wasMine = true;
    listen(session.id);
    if (parked) return;
    const key = mine()
      ? `mine:${session.id}:${session.status}:${session.technician.id}`
      : `others:${session.id}:${current.wasMine}`;
    if (view?.key === key) return view.update?.(session);
    if (!mine()) {
      // Only the tab the verification belongs to shows what to read out or compare.
      current.display = {};
      view = { key, update: othersStep(f) };
      return;
    }
    view = { key };
    if (session.status === 'awaiting_push') return pushStep(f);
    if (session.status === 'awaiting_code') return approvedStep(f);
    return codeStep(f);
  }

  // ---- keeping up with the server: live events, re-reads, and a dropped connection

  async function refresh(force = false) {
    if (!current) return;
    const asked = current;
    try {
      const { session, now } = await call('GET', `/api/verifications/${asked.session.id}`);
      // Another verification took this one's place while the answer was on its way (a new SEND): not this one's.
      if (current !== asked) return;
      backOnline();
      // Measured again only when it moved by more than 2 s (a laptop woke up, a clock was set), so the countdown
      // does not jump with each answer's latency.
      if (typeof now === 'number' && Math.abs(now - Date.now() - current.offset) > 2000)
        current.offset = now - Date.now();
      const changed =
        force ||
        session.status !== current.session.status ||
        session.technician.id !== current.session.technician?.id;
      current.session = session;
      if (changed) render();
    } catch (error) {
      if (current !== asked) return;
      if (error.code === 'network') return goOffline();
      // One this tab remembered and the server no longer keeps: nothing to show.
      if (error.code === 'session_not_found' && current.session.status === 'unknown') return reset();
      failure(error);
    }
  }

  function listen(sessionId) {
    if (events?.sessionId === sessionId) return;
    events?.close();
    const source = new EventSource(`/api/verifications/${sessionId}/events`);
    events = { sessionId, close: () => source.close() };
    source.addEventListener('status', () => refresh());
    // A ping every 15 s doubles as a re-read: a take-over on another instance of the app has no event here.
    source.addEventListener('ping', () => refresh());
    let interrupted = false;
    source.addEventListener('error', () => {
      // The browser retries by itself while it can; once it gives up, the catch-up loop takes over.
      interrupted = true;
      if (source.readyState === EventSource.CLOSED) {
        if (events?.sessionId === sessionId) events = null;
        goOffline();
      } else if (!navigator.onLine) goOffline();
    });
    source.addEventListener('open', () => {
      // Events sent while the stream was down are lost: read the session again.
      if (interrupted || offline) refresh(true);
      interrupted = false;
    });
  }

  function goOffline() {
    if (!offline) {
      offline = true;
      retryDelay = 2000;
    }
    connection.dataset.state = 'offline';
    connection.textContent = current && !parked ? OFFLINE_DURING : OFFLINE_IDLE;
    clearTimeout(retry);
    // Tried again with growing pauses (at most 15 s); the browser's `online` event tries at once.
    retry = setTimeout(catchUp, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15_000);
  }

  function backOnline() {
    // An answer to a request sent before the connection dropped does not mean it is back.
    if (!offline || !navigator.onLine) return;
    offline = false;
    clearTimeout(retry);
    connection.dataset.state = 'online';
    connection.textContent = current ? BACK_ONLINE : '';
  }

  function catchUp() {
    if (!offline) return;
    if (!navigator.onLine) {
      retry = setTimeout(catchUp, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15_000);
      return;
    }
    if (!current || parked) {
      // Nothing shown to catch up on: the next SEND says whether the connection is back.
      offline = false;
      connection.dataset.state = 'online';
      connection.textContent = '';
      return;
    }
    events?.close();
    events = null;
    refresh(true);
  }

  addEventListener('offline', goOffline);
  addEventListener('online', catchUp);

  const ACTING = { approve: 'APPROVING…', deny: 'DENYING…', cancel: 'CANCELLING…' };

  async function act(action, button) {
    for (const old of box.querySelectorAll(':scope > .error')) old.remove();
    const asked = current;
    try {
      const url = `/api/verifications/${asked.session.id}/${action}`;
      const { session } = await busy(button, () => call('POST', url), ACTING[action]);
      if (current !== asked) return;
      current.session = session;
      render();
    } catch (error) {
      if (error.code === 'network') return goOffline();
      if (GONE.includes(error.code)) return refresh(true);
      box.append(problem(error));
    }
  }

  return {
    /** A start or reverse answered: show its step (a resumed one shows what this tab kept of its display). */
    begin(result) {
      stopLive();
      keepDisplay(result.session.id, result.display);
      tabStorage.setItem(shownKey(ticketId), result.session.id);
      const display = result.display?.matchNumber || result.display?.code ? result.display : null;
      current = {
        session: result.session,
        display: display ?? keptDisplay(result.session.id),
        endUser: result.endUser,
        offset: typeof result.now === 'number' ? result.now - Date.now() : 0,
        wasMine: false,
      };
      view = null;
      parked = false;
      connection.textContent = '';
      backOnline();
      render();
    },
    /** The ticket's verification in progress, found on page load: pick it up where it is. */
    async resume(sessionId, endUser) {
      tabStorage.setItem(shownKey(ticketId), sessionId);
      current = {
        session: { id: sessionId, status: 'unknown', technician: {} },
        display: keptDisplay(sessionId),
        endUser,
        offset: 0,
        wasMine: false,
      };
      view = null;
      await refresh(true);
    },
    /** Back from bfcache (or any moment the page may have missed events): read the session again. */
    catchUp() {
      if (!current) return false;
      events?.close();
      events = null;
      refresh(true);
      return true;
    },
    /** The technician left "Start over instead" without sending: show the verification in progress again. */
    unpark() {
      if (!current || !parked) return;
      parked = false;
      view = null;
      render();
    },
    /** True while the start forms are meant to replace the verification in progress. */
    replacing: () => Boolean(current && parked),
    /** A start failed for want of a connection. */
    offline: goOffline,
  };
}
