import { html } from 'hono/html';

// Times as every page writes them: always with their zone (UTC), so nobody reads the server's time as their own.

/** `2026-11-24 09:00:05 UTC`. */
export const utc = (at: number) => `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** {@link utc} in a `<time>` element carrying the exact instant. */
export const utcTime = (at: number) => html`<time datetime="${new Date(at).toISOString()}">${utc(at)}</time>`;
