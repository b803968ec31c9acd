// The framed Insight's sign-in. Identity providers refuse to be framed, so sign-in runs in a pop-up. A cookie the
// pop-up gets is not this frame's (browsers keep a frame's cookies apart, by the page framing it), so the frame makes
// a secret, hands it to the pop-up's sign-in, and asks the server for the sign-in stored under it until it is there;
// the server then sets this frame's own cookie. Asking stops after five minutes.
const button = document.getElementById('sign-in');
const status = document.getElementById('sign-in-status');
const WAIT_MS = 5 * 60_000;

function newSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

button.addEventListener('click', () => {
  const secret = newSecret();
  const popup = window.open(`/auth/start?handoff=${secret}`, 'qdesk-sign-in', 'popup,width=520,height=700');
  if (!popup) {
    status.textContent =
      'Your browser blocked the sign-in window. Allow pop-ups for this site, then try again.';
    return;
  }
  button.disabled = true;
  status.textContent = 'Finish signing in in the window that opened.';
  const started = Date.now();
  const ask = async () => {
    if (Date.now() - started > WAIT_MS) {
      button.disabled = false;
      status.textContent = 'Sign-in was not finished in five minutes. Try again.';
      return;
    }
    try {
      const res = await fetch('/auth/handoff', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ secret }),
      });
      if (res.status === 200) {
        status.textContent = 'Signed in. Loading the ticket…';
        location.reload();
        return;
      }
    } catch {
      // Offline for a moment: ask again.
    }
    setTimeout(ask, 1000);
  };
  setTimeout(ask, 1000);
});
