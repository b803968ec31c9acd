// Signs a person in at the test identity provider (dev/test-idp.ts) over real HTTP without a browser: follows its
// redirects with its own cookie jar, fills its sign-in form with an email, answers its consent form, and returns the
// URL the provider finally sends the browser to (the app's callback, with `code` and `state`, or with `error`).

const formAction = (page: string, id: string) => {
  const form = new RegExp(`<form[^>]*id="${id}"[^>]*>`).exec(page)?.[0];
  const action = form && /action="([^"]+)"/.exec(form)?.[1];
  return action?.replaceAll('&amp;', '&') ?? null;
};

/** From the authorization URL the app redirected to, through sign-in and consent, to the redirect back. */
export async function signInAtIdp(
  authorizeUrl: string,
  login: string,
  decision: 'allow' | 'deny' = 'allow',
): Promise<URL> {
  const jar = new Map<string, string>();
  const origin = new URL(authorizeUrl).origin;
  const send = async (url: URL, init: RequestInit = {}) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie } });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return res;
  };
  let url = new URL(authorizeUrl);
  let init: RequestInit = {};
  for (let step = 0; step < 20; step++) {
    const res = await send(url, init);
    init = {};
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.origin !== origin) return next;
      url = next;
      continue;
    }
    const page = await res.text();
    const post = (action: string, fields: Record<string, string>) => {
      url = new URL(action, url);
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      };
    };
    const login$ = formAction(page, 'login');
    const consent = formAction(page, 'consent');
    if (login$) post(login$, { login });
    else if (consent) post(consent, { decision });
    else
      throw new Error(
        `The identity provider answered ${res.status} without a form or redirect: ${page.slice(0, 300)}`,
      );
  }
  throw new Error('The identity provider redirected more than 20 times.');
}
