// Shared by the pages: JSON calls with the CSRF token, and errors as readable messages.
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

export async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data?.error?.message ?? `Request failed (${response.status})`);
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

/** Runs `run` with `button` disabled, so a second click cannot send a second request while one is in flight. */
export async function busy(button, run) {
  if (button) button.disabled = true;
  try {
    return await run();
  } finally {
    if (button) button.disabled = false;
  }
}
