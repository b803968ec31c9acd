// A browser on the demo app, whatever carries its requests: `app.request` in process, or `fetch` to a running
// process. Requests carry the app's origin (its CSRF check wants it), and a signed-in browser's cookie and token.

/** A signed-in browser: its cookie, and the CSRF token its pages carry (empty for an end-user). */
export interface Browser {
  cookie: string;
  csrf: string;
}

/** A request from the app's origin; `as` adds that browser's cookie and CSRF token, `json` a JSON body. */
export type BrowserRequest = (
  path: string,
  init?: RequestInit & { json?: unknown; as?: Browser | null },
) => Promise<Response>;

export interface DemoBrowsers {
  request: BrowserRequest;
  /** Demo sign-in as a staff member (`tech-demo` Sam, `tech-jo` Jo, `admin-demo` Alex). */
  staff(id: 'tech-demo' | 'tech-jo' | 'admin-demo'): Promise<Browser>;
  /** Demo sign-in to the self-serve app as an end-user. */
  endUser(id: string): Promise<Browser>;
}

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;

/** Sign-ins and requests on the demo app at `origin`, each sent by `send` (a full URL and its init). */
export function demoBrowsers(
  origin: string,
  send: (url: string, init: RequestInit) => Promise<Response>,
): DemoBrowsers {
  const request: BrowserRequest = (path, init = {}) => {
    const { json, as, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set('origin', origin);
    if (as && !headers.has('cookie')) headers.set('cookie', as.cookie);
    if (as?.csrf && !headers.has('x-csrf-token')) headers.set('x-csrf-token', as.csrf);
    let body = rest.body;
    if (json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(json);
    }
    return send(`${origin}${path}`, { ...rest, headers, body });
  };
  const form = (path: string, fields: Record<string, string>) =>
    request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  return {
    request,
    async staff(id) {
      const cookie = cookieOf(await form('/login', { staff: id, next: '/' }));
      const page = await (await request('/insight?ticketId=1001', { headers: { cookie } })).text();
      const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
      if (!csrf) throw new Error(`no CSRF token on the Insight page:\n${page.slice(0, 500)}`);
      return { cookie, csrf };
    },
    async endUser(id) {
      return { cookie: cookieOf(await form('/self-serve/sign-in', { endUserId: id })), csrf: '' };
    },
  };
}

/** The JSON body of a response, typed loosely for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: assertions read whatever the route answered
export const json = async (res: Response): Promise<any> => res.json();
