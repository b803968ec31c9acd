import { html } from 'hono/html';

// The Insight's per-contact history panel: the end-user's past verifications, loaded by static/contact-history.js
// from `GET /api/history/end-user/:endUserId` each time the technician opens it (so a verification just finished
// on this page is in it). Hidden until the script runs: without it the panel could only say "loading".

/**
 * The panel's frame: a collapsed `<details>` the script fills from the history API. Its styles are in
 * static/history.css.
 * @example
 * ```ts
 * html`<div id="flow"></div>${contactHistorySection(lookup.endUser.id)}`
 * ```
 */
export function contactHistorySection(endUserId: string) {
  return html`<section id="contact-history" class="card contact-history" data-end-user-id="${endUserId}" aria-labelledby="contact-history-h" hidden>
    <details>
      <summary id="contact-history-h">Past verifications of this end-user</summary>
      <div class="contact-history-body" aria-live="polite"></div>
    </details>
  </section>`;
}
