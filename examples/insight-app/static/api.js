// Shared by the pages: JSON calls with the CSRF token, and errors as readable messages.
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

/** What a page says when a request never reached QDesk (fetch rejects with a bare "Failed to fetch"). */
export const NO_CONNECTION = 'No connection to QDesk: check your network.';

/**
 * A JSON request with the CSRF token. Throws an Error with `code` and `status` from the answer; a request that never
 * got an answer throws `code: 'network'` with {@link NO_CONNECTION} as its message.
 */
export async function call(method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (cause) {
    const error = new Error(NO_CONNECTION, { cause });
    error.code = 'network';
    throw error;
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(
      data?.error?.message ?? `QDesk answered with an error (${response.status}); try again.`,
    );
    error.code = data?.error?.code;
    error.status = response.status;
    throw error;
  }
  return data;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined && v !== null) node.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/**
 * A fresh idempotency key per click: the server starts and sends once however often the request arrives. Falls back
 * to Web Crypto bytes where `randomUUID` is missing (pages served over plain http to another host).
 */
export function newKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs `run` with `button` disabled, so a second click cannot send a second request while one is in flight. With
 * `label`, the button says it (e.g. "SENDING…") meanwhile and is marked busy for screen readers.
 */
export async function busy(button, run, label) {
  const text = button?.textContent;
  if (button) {
    button.disabled = true;
    if (label) {
      button.textContent = label;
      button.setAttribute('aria-busy', 'true');
    }
  }
  try {
    return await run();
  } finally {
    if (button) {
      button.disabled = false;
      if (label) {
        button.textContent = text;
        button.removeAttribute('aria-busy');
      }
    }
  }
}

/**
 * This tab's storage, or a stand-in kept in memory when the browser refuses it: inside the Autotask ticket page the
 * Insight is a third-party frame, and a browser that blocks third-party cookies refuses `sessionStorage` there too
 * (reading the property throws). The page then works as before; only a reload forgets what it showed.
 */
export const tabStorage = (() => {
  try {
    const storage = window.sessionStorage;
    storage.getItem('qdesk-probe');
    return storage;
  } catch {
    const kept = new Map();
    return {
      getItem: (key) => kept.get(key) ?? null,
      setItem: (key, value) => kept.set(key, String(value)),
      removeItem: (key) => kept.delete(key),
    };
  }
})();
