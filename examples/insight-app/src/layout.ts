import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { StaffRole } from './security.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Whose page it is, which decides the header:
 * - `staff`: the MSP's staff (technicians, administrators). The nav lists only what the signed-in role may open;
 *   `staff: null` is a staff page before sign-in.
 * - `end-user`: the self-serve page on an end-user's phone. Only the end-user's own links and a sign-out.
 * - `embedded`: the Insight inside a PSA ticket panel (300-400 px). No app header at all: the panel is the frame.
 */
export type Chrome =
  | { kind: 'staff'; staff: { name: string; role: StaffRole } | null }
  | { kind: 'end-user'; signedIn: boolean }
  | { kind: 'embedded' };

export interface LayoutOptions {
  /** The page's module script in /static. */
  script?: string;
  /** Extra style sheets in /static, after app.css. */
  styles?: string[];
  csrf?: string;
  demo?: boolean;
  chrome?: Chrome;
  /** Link the web app manifest (`/manifest.webmanifest`): the self-serve pages, so a phone can install the app. */
  manifest?: boolean;
}

const demoBadge = html`<span class="badge" title="No account anywhere: demo data, local Autotask fake, console channels">demo</span>`;

function staffHeader(demo: boolean, staff: { name: string; role: StaffRole } | null) {
  const admin = staff?.role === 'admin';
  return html`<header class="bar">
    <a class="brand" href="/">QDesk</a>
    ${demo ? demoBadge : ''}
    <nav aria-label="Main">
      ${staff ? html`<a href="/history">History</a>` : ''}
      ${admin ? html`<a href="/admin/matching">Matching</a><a href="/admin/policies">Policies</a>` : ''}
      ${demo ? html`<a href="/outbox">Outbox</a><a href="/self-serve">Self-serve</a>` : ''}
    </nav>
    ${
      staff
        ? html`<form method="post" action="/sign-out" class="who-am-i">
            <span>${staff.name}</span><button type="submit" class="link">Sign out</button>
          </form>`
        : ''
    }
  </header>`;
}

function endUserHeader(demo: boolean, signedIn: boolean) {
  return html`<header class="bar">
    <a class="brand" href="/self-serve">QDesk</a>
    ${demo ? demoBadge : ''}
    ${
      signedIn
        ? html`<form method="post" action="/self-serve/sign-out" class="who-am-i">
            <button type="submit" class="link">Sign out</button>
          </form>`
        : ''
    }
  </header>`;
}

function header(options: LayoutOptions) {
  const chrome = options.chrome ?? { kind: 'staff', staff: null };
  const demo = options.demo ?? false;
  if (chrome.kind === 'embedded') return '';
  if (chrome.kind === 'end-user') return endUserHeader(demo, chrome.signedIn);
  return staffHeader(demo, chrome.staff);
}

export function layout(title: string, body: Html, options: LayoutOptions = {}) {
  const embedded = options.chrome?.kind === 'embedded';
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    ${options.csrf ? html`<meta name="csrf-token" content="${options.csrf}" />` : ''}
    <title>${title} · QDesk</title>
    ${options.manifest ? html`<link rel="manifest" href="/manifest.webmanifest" />` : ''}
    <link rel="stylesheet" href="/static/app.css" />
    ${(options.styles ?? []).map((s) => html`<link rel="stylesheet" href="/static/${s}" />`)}
  </head>
  <body class="${embedded ? 'embedded' : ''}">
    ${header(options)}
    <main id="main">${body}</main>
    ${options.script ? raw(`<script type="module" src="/static/${options.script}"></script>`) : ''}
  </body>
</html>`;
}

/** `content` when `condition` holds; pass a function when building the content would read what may be missing. */
export const when = (condition: unknown, content: Html | string | (() => Html | string)) =>
  condition ? (typeof content === 'function' ? content() : content) : '';
