// The test identity provider's own pages: sign-in, consent, errors and sign-out. Plain HTML with no script, so a
// browser test drives them by their stable selectors and a newcomer sees at a glance what is asked of them.

/** A user the sign-in page offers (as an email suggestion). */
export interface PageUser {
  email: string;
  name: string;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:28rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}label{display:block;font-weight:600;margin:.5rem 0 .25rem}input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{font-size:1rem;padding:.5rem 1rem;margin:.75rem .5rem 0 0;cursor:pointer}[role=alert]{color:#8a1010;font-weight:600}
.note{color:#4a4a4a;font-size:.9rem}code{background:#f1f1f1;padding:0 .2rem}`;

/** Escapes text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · QDesk test identity provider</title><style>${STYLE}</style></head>
<body><main>${body}
<p class="note">QDesk test identity provider: for development and tests only.</p></main></body></html>`;
}

/**
 * The sign-in page: `<form id="login">` with `<input name="login">` (an email address; the known users are offered as
 * suggestions and listed) and `<button type="submit">Sign in</button>`. `error` shows in a `role="alert"` paragraph.
 */
export function loginPage(options: {
  uid: string;
  clientId: string;
  users: readonly PageUser[];
  loginHint?: string | undefined;
  error?: string | undefined;
}): string {
  const { uid, clientId, users, loginHint, error } = options;
  const suggestions = users.map(
    (user) => `<option value="${escapeHtml(user.email)}">${escapeHtml(user.name)}</option>`,
  );
  const listed = users.map(
    (user) => `<li>${escapeHtml(user.name)}: <code>${escapeHtml(user.email)}</code></li>`,
  );
  return page(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(clientId)}</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form id="login" method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="login-email">Email address</label>
<input id="login-email" name="login" type="text" inputmode="email" autocomplete="username" list="known-users" required
 value="${escapeHtml(loginHint ?? '')}" autofocus>
<datalist id="known-users">${suggestions.join('')}</datalist>
<button type="submit">Sign in</button>
</form>
<p class="note">No password: this provider signs in any of its users by email.</p>
<ul class="note">${listed.join('')}</ul>`,
  );
}

/**
 * The consent page: `<button name="decision" value="allow">Allow</button>` and
 * `<button name="decision" value="deny">Deny</button>` in `<form id="consent">`.
 */
export function consentPage(options: {
  uid: string;
  clientId: string;
  user: PageUser;
  scopes: readonly string[];
  claims: readonly string[];
}): string {
  const { uid, clientId, user, scopes, claims } = options;
  const asked = [...scopes.map((scope) => `scope <code>${escapeHtml(scope)}</code>`)];
  asked.push(...claims.map((claim) => `claim <code>${escapeHtml(claim)}</code>`));
  return page(
    'Allow access',
    `<h1>Allow ${escapeHtml(clientId)} to sign you in?</h1>
<p>Signed in as ${escapeHtml(user.name)} (<code>${escapeHtml(user.email)}</code>).</p>
${asked.length > 0 ? `<p>It asks for:</p><ul>${asked.map((item) => `<li>${item}</li>`).join('')}</ul>` : ''}
<form id="consent" method="post" action="/interaction/${escapeHtml(uid)}/confirm">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

/** A page for something the browser cannot go on from (an expired sign-in, a client that is not registered). */
export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p>`);
}

/** The sign-out question; `form` is the provider's own hidden form (`id="op.logoutForm"`), which carries its token. */
export function logoutPage(host: string, form: string): string {
  return page(
    'Sign out',
    `<h1>Sign out of ${escapeHtml(host)}?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`,
  );
}

/** Shown after a sign-out that had no post-logout redirect. */
export function signedOutPage(): string {
  return page('Signed out', '<h1>Signed out</h1><p>You are signed out of the test identity provider.</p>');
}
