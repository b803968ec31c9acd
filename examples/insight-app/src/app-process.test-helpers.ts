import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

// The reference app as a real operating-system process (`tsx src/main.ts`), driven over HTTP as a browser would:
// what a restart and a second instance need to be tested for real, not as a second object in one process.

const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

/** A signed-in browser: its cookie, and the CSRF token its pages carry. */
export interface ProcessBrowser {
  cookie: string;
  csrf: string;
}

export interface AppProcess {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** Everything the process printed so far. */
  output(): string;
  /** A request with this app's origin; `as` adds a browser's cookie and CSRF token, `json` a JSON body. */
  request(path: string, init?: RequestInit & { json?: unknown; as?: ProcessBrowser }): Promise<Response>;
  /** Demo sign-in as a staff member. */
  staff(id: 'tech-demo' | 'tech-jo' | 'admin-demo'): Promise<ProcessBrowser>;
  /** Demo sign-in to the self-serve app as an end-user. */
  endUser(id: string): Promise<ProcessBrowser>;
  /** Stops the process with a signal (SIGTERM: a clean stop; SIGKILL: a crash) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;

/** Starts the app with these variables (demo mode unless they say otherwise) and waits until it listens. */
export async function startAppProcess(
  variables: Record<string, string>,
  timeoutMs = 60_000,
): Promise<AppProcess> {
  const child: ChildProcess = spawn(tsx, ['--conditions=qdesk-source', main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CI: '', ...variables },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app did not start in time:\n${printed}`)),
      timeoutMs,
    );
    const read = (chunk: Buffer) => {
      printed += chunk.toString();
      // The start-up lines end with where the data is kept.
      const listening = /QDesk Insight app on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*\n {2}Data: [^\n]*\n/.exec(
        printed,
      );
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with ${code} before it listened:\n${printed}`));
    });
  });
  const exited = once(child, 'exit');

  const request: AppProcess['request'] = (path, init = {}) => {
    const { json, as, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set('origin', base);
    if (as) {
      headers.set('cookie', as.cookie);
      if (as.csrf) headers.set('x-csrf-token', as.csrf);
    }
    let body = rest.body;
    if (json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(json);
    }
    return fetch(`${base}${path}`, { ...rest, headers, body, redirect: 'manual' });
  };
  const form = (path: string, fields: Record<string, string>) =>
    request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  return {
    base,
    output: () => printed,
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
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** The JSON body of a response, typed loosely for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: assertions read whatever the route answered
export const body = async (res: Response): Promise<any> => res.json();
