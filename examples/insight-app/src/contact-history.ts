import { html } from 'hono/html';

// The Insight's per-contact history panel: the end-user's past verifications, loaded by static/contact-history.js.

/** The panel's frame; the script fills it from the history API. */
export function contactHistorySection(endUserId: string) {
  return html`<section id="contact-history" class="card" data-end-user-id="${endUserId}" hidden></section>`;
}
