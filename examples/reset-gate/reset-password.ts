// A password-reset tool that refuses to run without a QDesk grant: proof that the end-user was verified on the
// ticket, minutes ago, for exactly this action. The reset itself is SIMULATED: nothing in any directory changes.
//
//   QDESK_SECRET=... QDESK_TENANT_ID=... pnpm exec tsx --conditions=qdesk-source \
//     examples/reset-gate/reset-password.ts [--user <endUserId>] [--ticket <ticketId>] <grant>
//
// The grant comes from `verifier.requireVerified(...)` in the app, after the technician verified the caller; it can
// also be given in QDESK_GRANT. Exit codes: 0 reset done, 1 refused (no grant, or a forged, expired, used or
// mismatched one), 2 bad usage or configuration, 3 the reset itself failed.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createVerifier, isQdeskError, type ResetGrant, type Verifier } from '@qdesk/core';
import { createMemoryDirectory } from '@qdesk/core/memory';
import { createFileAuditLog, createFileRateCounter } from './file-stores.js';

/** The one action this tool performs; a grant for anything else is refused. */
export const ACTION = 'reset_password';

const USAGE =
  'Usage: reset-password [--user <endUserId>] [--ticket <ticketId>] <grant>   (or the grant in QDESK_GRANT)';

/** Why QDesk refused a grant (`details.reason` of its `grant_invalid` error), in words for the operator. */
const REFUSALS: Record<string, string> = {
  signature:
    'the grant is malformed or was not signed by this QDesk: it was altered, forged, or comes from another deployment',
  expired: 'the grant has expired; verify the caller again and ask for a new one',
  used: 'the grant was used already: each grant allows one reset; verify the caller again',
  wrong_action: `the grant is for another action, not ${ACTION}`,
  'wrong_end-user': 'the grant is for another end-user than --user',
  wrong_ticket: 'the grant is for another ticket than --ticket',
  wrong_tenant: 'the grant is for another MSP than this tool serves',
};

/** What {@link main} needs. Everything outside the process is injected, so a test runs the tool in-process. */
export interface ResetToolOptions {
  /** The arguments after the script's name. */
  args: readonly string[];
  /** The environment: `QDESK_GRANT` when the grant is not an argument. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * A verifier built from the same `secret` as the one that issued the grant (the grant's signing key is derived from
   * it) and sharing its rate counter, where a spent grant is recorded, and its audit log.
   */
  verifier: Pick<Verifier, 'verifyGrant'>;
  /** The MSP this tool works for: a grant of another tenant is refused. */
  tenantId: string;
  /** Performs the reset once the grant is spent; returns what to print. Default: {@link simulatedReset}. */
  reset?: (grant: ResetGrant) => Promise<string>;
  /** Where the tool prints (default: stdout and stderr). */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * SIMULATED reset. A real tool would, here: set "must change password at next sign-in" or send the end-user a
 * set-password link (the technician never chooses or learns the new password: OWASP ASVS 5.0 6.4.6), and tell the
 * end-user through every address on file that their password was reset (ASVS 6.3.7, NIST SP 800-63B rev 4 4.2).
 */
export async function simulatedReset(grant: ResetGrant): Promise<string> {
  return `SIMULATED: ${grant.endUserId} would now have to choose a new password at next sign-in; nothing was changed.`;
}

/** Runs the tool; resolves with the exit code. */
export async function main(options: ResetToolOptions): Promise<number> {
  const out = options.out ?? ((line: string) => console.log(line));
  const err = options.err ?? ((line: string) => console.error(line));
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(options.args);
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const grant = parsed.positionals[0] ?? options.env.QDESK_GRANT ?? '';
  if (grant.trim() === '') {
    err(
      'REFUSED: no grant. Verify the caller in QDesk first; the app then gives you a grant for this reset.',
    );
    return 1;
  }

  let claims: ResetGrant;
  try {
    // Checks the signature, the expiry and the binding, and spends the grant: it never works a second time.
    claims = await options.verifier.verifyGrant({
      grant: grant.trim(),
      action: ACTION,
      tenantId: options.tenantId,
      ...(parsed.values.user === undefined ? {} : { endUserId: parsed.values.user }),
      ...(parsed.values.ticket === undefined ? {} : { ticketId: parsed.values.ticket }),
    });
  } catch (error) {
    // Whatever went wrong, even QDesk's stores being down, the answer is the same: no reset.
    const reason = isQdeskError(error) ? String(error.details.reason ?? '') : '';
    const words = REFUSALS[reason] ?? (error instanceof Error ? error.message : String(error));
    err(`REFUSED: ${words}.`);
    return 1;
  }

  out(
    `Grant accepted: ${claims.action} for ${claims.endUserId} on ticket ${claims.ticketId}, verified by ${claims.technicianId} (session ${claims.sessionId}).`,
  );
  try {
    out(await (options.reset ?? simulatedReset)(claims));
    return 0;
  } catch (error) {
    err(
      `The reset failed after the grant was spent: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 3;
  }
}

function parseOptions(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: { user: { type: 'string' }, ticket: { type: 'string' } },
    allowPositionals: true,
  });
}

/** The command line: a verifier from `QDESK_SECRET`, with the tool's stores in `QDESK_RESET_TOOL_DATA`. */
async function cli(): Promise<number> {
  const { QDESK_SECRET: secret, QDESK_TENANT_ID: tenantId } = process.env;
  if (!secret || !tenantId) {
    console.error("Set QDESK_SECRET (the app verifier's secret) and QDESK_TENANT_ID (the MSP).");
    return 2;
  }
  const data = process.env.QDESK_RESET_TOOL_DATA ?? '.qdesk-reset-tool';
  const verifier = createVerifier({
    secret,
    directory: createMemoryDirectory([]), // verifyGrant reads no directory; createVerifier needs one
    counters: createFileRateCounter(data),
    audit: createFileAuditLog(data),
  });
  return main({ args: process.argv.slice(2), env: process.env, verifier, tenantId });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await cli();
}
