import { SCHEMAS } from './_discovery.js';
import { type JsonObject, sanitizeJson } from './_json.js';
import { ScimError } from './scim-error.js';
import type { ScimJsonValue } from './scim-user.js';

/** SCIM's media type (RFC 7644, section 8.1); JSON is UTF-8 without saying so. @internal */
export const SCIM_CONTENT_TYPE = 'application/scim+json';
/** Longest bearer token read; anything longer is no token QDesk issued. */
const MAX_TOKEN_LENGTH = 4096;

/** A SCIM JSON response. @internal */
export function scimResponse(
  status: number,
  body: JsonObject | null,
  headers: Record<string, string> = {},
): Response {
  if (body === null) return new Response(null, { status, headers });
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': SCIM_CONTENT_TYPE, ...headers },
  });
}

/** SCIM's error body for a {@link ScimError} (RFC 7644, section 3.12): `status` as a string, `scimType`, `detail`. @internal */
export function errorResponse(error: ScimError, headers: Record<string, string> = {}): Response {
  const body: JsonObject = { schemas: [SCHEMAS.error], status: String(error.status) };
  if (error.scimType !== null) body.scimType = error.scimType;
  body.detail = error.message;
  return scimResponse(error.status, body, headers);
}

/**
 * The bearer token of `Authorization: Bearer <token>`, or `null` when there is none (another scheme, a blank, a
 * token longer than any QDesk issues).
 * @internal
 */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  const match = header === null ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  const token = match?.[1];
  return token !== undefined && token.length <= MAX_TOKEN_LENGTH ? token : null;
}

/**
 * Reads a request's JSON body, refusing more than `maxBytes` (413, without reading further), a media type other
 * than JSON (415), bytes that are not UTF-8, and anything that is not JSON (400 `invalidSyntax`). Keys that would
 * reach a prototype are dropped.
 * @internal
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<ScimJsonValue> {
  const type = request.headers.get('content-type');
  if (type !== null && !/^application\/(scim\+)?json\s*(;|$)/i.test(type.trim())) {
    throw new ScimError(`The body is ${type}; send it as application/scim+json (or application/json).`, {
      status: 415,
    });
  }
  const tooLarge = () =>
    new ScimError(
      `The body is larger than ${maxBytes} bytes; a SCIM User is far smaller. Send one user per request.`,
      {
        status: 413,
      },
    );
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    // Each read consumes bytes of the body, and the loop stops once more than maxBytes came in.
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw ScimError.badRequest('invalidSyntax', 'The body is not UTF-8 text; send JSON encoded as UTF-8.');
  }
  if (text.trim() === '')
    throw ScimError.badRequest('invalidSyntax', 'The body is empty; send a SCIM JSON message.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message quotes the body, which may hold anything (a password); say only where to look.
    throw ScimError.badRequest('invalidSyntax', 'The body is not valid JSON; send a SCIM JSON message.');
  }
  return sanitizeJson(parsed);
}

/** The weak ETag of a version (`W/"3"`), which `meta.version` also carries. @internal */
export const etagOf = (version: number) => `W/"${version}"`;

/**
 * The versions an `If-Match` header accepts: `undefined` without the header (or with `*`), else the versions its
 * entity tags name (empty when it names none this endpoint could have issued, so nothing matches).
 * @internal
 */
export function ifMatchVersions(request: Request): number[] | undefined {
  const header = request.headers.get('if-match');
  if (header === null || header.trim() === '*') return undefined;
  const versions: number[] = [];
  for (const tag of header.split(',').slice(0, 20)) {
    const match = /^(?:W\/)?"(\d{1,15})"$/i.exec(tag.trim());
    if (match) versions.push(Number(match[1]));
  }
  return versions;
}
