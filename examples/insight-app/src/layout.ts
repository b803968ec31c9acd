import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export function layout(
  title: string,
  body: Html,
  options: { script?: string; csrf?: string; demo?: boolean } = {},
) {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    ${options.csrf ? html`<meta name="csrf-token" content="${options.csrf}" />` : ''}
    <title>${title} · QDesk</title>
    <link rel="stylesheet" href="/static/app.css" />
  </head>
  <body>
    <header class="bar">
      <a class="brand" href="/">QDesk</a>
      ${options.demo ? html`<span class="badge" title="No account anywhere: demo data, local Autotask fake, console channels">demo</span>` : ''}
      <nav aria-label="Main">
        <a href="/history">History</a>
        <a href="/admin/matching">Matching</a>
        <a href="/admin/policies">Policies</a>
        ${options.demo ? html`<a href="/outbox">Outbox</a>` : ''}
        <a href="/self-serve">Self-serve</a>
      </nav>
    </header>
    <main id="main">${body}</main>
    ${options.script ? raw(`<script type="module" src="/static/${options.script}"></script>`) : ''}
  </body>
</html>`;
}

/** `content` when `condition` holds; pass a function when building the content would read what may be missing. */
export const when = (condition: unknown, content: Html | string | (() => Html | string)) =>
  condition ? (typeof content === 'function' ? content() : content) : '';
