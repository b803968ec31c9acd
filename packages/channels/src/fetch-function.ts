/**
 * A `fetch`-compatible function. The HTTP channels (Twilio, FCM) accept one to route requests through a proxy
 * or an instrumented client; by default they use the global `fetch`.
 * @public
 */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
