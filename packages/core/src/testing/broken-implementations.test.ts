import { describe, expect, it } from 'vitest';
import type { EndUser } from '../types.js';
import { auditLogHarness, auditLogHas, auditLogRules } from './audit-log-conformance.js';
import { type AuditLogFlaw, type BrokenAuditLog, createBrokenAuditLog } from './broken/audit-log.js';
import { type BrokenChannel, type ChannelFlaw, createBrokenChannel } from './broken/channel.js';
import { type BrokenDirectory, createBrokenDirectory, type DirectoryFlaw } from './broken/directory.js';
import { createBrokenPolicyStore, type PolicyStoreFlaw } from './broken/policy-store.js';
import {
  type BrokenPsa,
  brokenPsaFixtures,
  createBrokenPsa,
  type PsaAdapterFlaw,
} from './broken/psa-adapter.js';
import { createBrokenRateCounter, type RateCounterFlaw } from './broken/rate-counter.js';
import { createBrokenSessionStore, type SessionStoreFlaw } from './broken/session-store.js';
import { channelHarness, channelHas, channelRules } from './channel-conformance.js';
import { directoryHarness, directoryHas, directoryRules } from './directory-conformance.js';
import { checkRules, type KitHarness, type KitRule, RuleViolation } from './kit.js';
import { sampleDevice, samplePushMessage, sampleSmsMessage } from './messages.js';
import { policyStoreHarness, policyStoreRules } from './policy-store-conformance.js';
import { psaAdapterHarness, psaAdapterHas, psaAdapterRules } from './psa-adapter-conformance.js';
import { rateCounterHarness, rateCounterRules } from './rate-counter-conformance.js';
import { sessionStoreHarness, sessionStoreRules } from './session-store-conformance.js';

/** One deliberately broken implementation: its mistake, how the kit reaches it, and the rules it must fail. */
interface Variant<Subject> {
  flaw: string;
  harness: KitHarness<Subject>;
  has?: (need: string) => boolean;
  breaks: string[];
}

/** The name of the one rule whose name contains `fragment`, so the tables below stay short. */
const ruleNamed =
  <Subject>(rules: readonly KitRule<Subject>[]) =>
  (fragment: string): string => {
    const found = rules.filter((r) => r.name.includes(fragment));
    if (found.length !== 1) throw new Error(`"${fragment}" names ${found.length} rules, not one.`);
    return found[0]!.name;
  };

/**
 * Runs each broken implementation through the kit with `checkRules`: it must fail exactly the rules it breaks (the
 * others pass or skip), each with a RuleViolation that says what is wrong; together they fail every rule.
 */
function describeBrokenKit<Subject>(
  kit: string,
  noun: string,
  rules: readonly KitRule<Subject>[],
  variants: Variant<Subject>[],
) {
  describe(`${kit}: deliberately broken implementations`, () => {
    for (const variant of variants) {
      it(`fails a ${noun} that ${variant.flaw} on exactly the rules it breaks`, async () => {
        const results = await checkRules(rules, variant.harness, variant.has);
        const failed = results.filter((r) => r.status === 'failed');
        expect(failed.map((r) => r.rule).sort()).toEqual([...variant.breaks].sort());
        for (const { rule, error } of failed) {
          expect(error).toBeInstanceOf(RuleViolation);
          const message = (error as RuleViolation).message;
          expect(message.startsWith(`${rule}: `), 'the message names the rule').toBe(true);
          expect(message).not.toMatch(/expected .* to (be|equal)/i);
          expect(message.length).toBeGreaterThan(40);
        }
      });
    }

    it('fails every rule with at least one of them', () => {
      const failed = new Set(variants.flatMap((v) => v.breaks));
      expect(rules.map((r) => r.name).filter((name) => !failed.has(name))).toEqual([]);
    });
  });
}

{
  const r = ruleNamed(policyStoreRules);
  const variant = (flaw: PolicyStoreFlaw, breaks: string[]) => {
    let store = createBrokenPolicyStore(flaw);
    const harness = policyStoreHarness({
      name: flaw,
      create: () => (store = createBrokenPolicyStore(flaw)),
      inspect: { layer: async (t, c) => store.peek(t, c) },
    });
    return { flaw, harness, breaks: breaks.map(r) };
  };
  describeBrokenKit('PolicyStore kit', 'store', policyStoreRules, [
    variant('declares v0', ['specificationVersion']),
    variant('answers undefined for a missing layer', ['never stored', 'kept apart']),
    variant('drops the acceptances', ['exactly as given']),
    variant('skips the version check', ['only on the expected version', 'racing writers']),
    variant('checks and writes in two steps', ['racing writers']),
    variant('ignores the customer', ['kept apart']),
    variant('keeps the caller object', ['a read is a copy']),
  ]);
}

{
  const r = ruleNamed(sessionStoreRules);
  const variant = (flaw: SessionStoreFlaw, breaks: string[]) => {
    let store = createBrokenSessionStore(flaw);
    const create = () => (store = createBrokenSessionStore(flaw));
    const harness = sessionStoreHarness({
      name: flaw,
      create,
      inspect: { session: async (t, id) => store.peek(t, id) },
    });
    return { flaw, harness, breaks: breaks.map(r) };
  };
  describeBrokenKit('SessionStore kit', 'store', sessionStoreRules, [
    variant('declares v0', ['specificationVersion']),
    variant('answers undefined for a missing session', ['unknown id', 'another tenant']),
    variant('stores timestamps as strings', ['exactly as given']),
    variant('overwrites on create', ['refuses an existing id']),
    variant('ignores the tenant', ['another tenant']),
    variant('hands out its own objects', ['a read is a copy']),
    variant('keeps the caller object', ['a write is a copy']),
    variant('skips the version check', ['only on the expected version', 'does not follow', 'racing writers']),
    variant('creates on compareAndSet', ['another tenant', 'on a missing session']),
    variant('checks and writes in two steps', ['racing writers']),
    variant('lists closed sessions', ['listActive']),
    variant('lists every ticket', ['listForTicket']),
    variant('lists closed sessions as due', ['listDue']),
  ]);
}

{
  const r = ruleNamed(rateCounterRules);
  const variant = (flaw: RateCounterFlaw, breaks: string[]) => {
    let counter = createBrokenRateCounter(flaw);
    const create = () => (counter = createBrokenRateCounter(flaw));
    const harness = rateCounterHarness({
      name: flaw,
      create,
      inspect: { hits: async (t, k) => counter.peek(t, k) },
    });
    return { flaw, harness, breaks: breaks.map(r) };
  };
  const all = rateCounterRules
    .map((rule) => rule.name)
    .filter((name) => !name.includes('specificationVersion'));
  describeBrokenKit('RateCounter kit', 'counter', rateCounterRules, [
    variant('declares v0', ['specificationVersion']),
    { ...variant('count adds a hit', []), breaks: all },
    variant('increment returns the count before the hit', [
      'increment returns',
      'inside the window',
      'windowMs null',
      'concurrent',
      'reset forgets',
    ]),
    variant('keeps a hit at the window edge', ['inside the window']),
    variant('reads windowMs null as 0', ['windowMs null', 'reset forgets']),
    variant('joins tenant and key without a separator', ['separate counters']),
    variant('reads and writes in two steps', ['concurrent']),
    variant('reset forgets every key', ['reset forgets']),
  ]);
}

{
  const r = ruleNamed(directoryRules);
  const variant = (flaw: DirectoryFlaw, breaks: string[]) => {
    let directory: BrokenDirectory;
    const options = {
      name: flaw,
      create: () => (directory = createBrokenDirectory(flaw)),
      seed: (target: BrokenDirectory, users: EndUser[]) => {
        for (const user of users) target.put(user);
      },
      capabilities: { manageDevices: true },
      inspect: { user: async (t: string, id: string) => directory.peek(t, id) },
    };
    return { flaw, harness: directoryHarness(options), has: directoryHas(options), breaks: breaks.map(r) };
  };
  describeBrokenKit('EndUserDirectory kit', 'directory', directoryRules, [
    variant('declares v0', ['specificationVersion']),
    variant('declares manageDevices false but has the methods', ['expected capabilities']),
    variant('drops customerId', ['every field equal']),
    variant('drops provenance', ['came from']),
    variant('answers undefined for an unknown end-user', [
      'unknown id or email',
      'another tenant',
      'never a guess',
    ]),
    variant('ignores the tenant on reads', ['another tenant']),
    variant('compares emails case-sensitively', ['ignores the case']),
    variant('guesses an email by substring', ['another tenant', 'never a guess']),
    variant('hands out its own objects', ['a read is a copy']),
    variant('appends a device with a known id', ['upsertDevice']),
    variant('keeps the caller device', ['upsertDevice']),
    variant('removes every device', ['removeDevice']),
    variant('forgets lastSeenAt', ['reportPermission']),
    variant('ignores the tenant on device writes', ['inside its tenant']),
  ]);
}

{
  const r = ruleNamed(auditLogRules);
  const variant = (flaw: AuditLogFlaw, breaks: string[]) => {
    let log: BrokenAuditLog;
    const options = {
      name: flaw,
      create: () => (log = createBrokenAuditLog(flaw)),
      capabilities: { query: true },
      inspect: { records: async (t: string) => log.peek(t) },
    };
    return { flaw, harness: auditLogHarness(options), has: auditLogHas(options), breaks: breaks.map(r) };
  };
  describeBrokenKit('AuditLog kit', 'log', auditLogRules, [
    variant('declares v0', ['specificationVersion']),
    variant('declares query false but has it', ['expected capabilities']),
    variant('drops detail', ['every field equal', 'newest first']),
    variant('keeps one record per session', [
      'only adds',
      'its own tenant',
      'newest first',
      'every filter',
      'by customer',
      'time range',
      'limit',
    ]),
    variant('keeps the caller object', ['caller mutates']),
    variant('files every record under the first tenant', ['its own tenant', "another tenant's"]),
    variant('lists oldest first', ['newest first', 'every filter', 'by customer', 'time range', 'limit']),
    variant('queries every tenant', ["another tenant's"]),
    variant('matches technicianId on any actor', ['every filter']),
    variant('has no default limit', ['limit']),
    variant('hands out its own objects', ['query result is a copy']),
    variant('ignores the customer filter', ['by customer']),
    variant('treats until as inclusive', ['time range']),
  ]);
}

{
  const r = ruleNamed(psaAdapterRules);
  const variant = (flaw: PsaAdapterFlaw, breaks: string[]) => {
    let psa: BrokenPsa;
    const options = {
      name: flaw,
      create: () => {
        psa = createBrokenPsa(flaw);
        return psa.adapter;
      },
      capabilities: { writeNotes: true, listRecords: true },
      fixtures: brokenPsaFixtures,
      inspect: { notes: async (ticketId: string) => psa.notes(ticketId) },
      faults: {
        failNext: (operation: Parameters<BrokenPsa['faults']['failNext']>[0]) =>
          psa.faults.failNext(operation),
        loseNextNoteAnswer: () => psa.faults.loseNextNoteAnswer(),
      },
    };
    return { flaw, harness: psaAdapterHarness(options), has: psaAdapterHas(options), breaks: breaks.map(r) };
  };
  const notes = ['one note per session', 'the note states', 'errors arrive', 'answer was lost'];
  describeBrokenKit('PsaAdapter kit', 'PSA adapter', psaAdapterRules, [
    variant('declares v0 and no name', ['specificationVersion']),
    variant('declares capabilities as strings', ['as booleans', 'optional method']),
    variant('lacks writeVerificationNote', ['optional method', ...notes]),
    variant('reads another company for the ticket', ['belongs to that company']),
    variant('reads a missing contact as an empty one', ['without a contact']),
    variant('answers undefined for unknown ids', ['unknown ticket']),
    variant('maps getContact without phones', ['getContact reads']),
    variant('keeps empty emails', ['belongs to that company', 'emails are trimmed', 'every contact once']),
    variant('sorts ids as text', ['every company once', 'every contact once', 'afterId']),
    variant('ignores the company filter', ['companyId filter']),
    variant('ignores afterId', ['afterId']),
    variant('reports progress once, at the end', ['onProgress']),
    variant('leaves total null', ['afterId', 'onProgress']),
    variant('ignores the abort signal', ['abort signal']),
    variant('writes a note on every call', ['one note per session', 'answer was lost']),
    variant('writes a terse note', ['one note per session', 'the note states', 'answer was lost']),
    variant('writes the code in the note', ['the note states']),
    variant('throws raw errors', ['errors arrive']),
    variant('writes twice after a lost answer', ['answer was lost']),
  ]);
}

{
  const r = ruleNamed(channelRules);
  const variant = (route: 'sms' | 'push', flaw: ChannelFlaw, breaks: string[]) => {
    let broken: BrokenChannel;
    const to = (address: string) =>
      route === 'sms'
        ? sampleSmsMessage({ to: address })
        : samplePushMessage({ device: sampleDevice(address) });
    const options = {
      name: flaw,
      create: () => {
        broken = createBrokenChannel(route, flaw);
        return broken.channel;
      },
      acceptedMessage: () => (route === 'sms' ? sampleSmsMessage() : samplePushMessage()),
      permanentFailureMessage: () => to(route === 'sms' ? '+15005550001' : 'dev-dead'),
      transientFailureMessage: () => to(route === 'sms' ? '+15005550429' : 'dev-busy'),
      inspect: { received: async () => [...broken.received], logs: async () => [...broken.logs] },
    };
    const harness = channelHarness(options);
    return { flaw: `${flaw} (${route})`, harness, has: channelHas(options), breaks: breaks.map(r) };
  };
  describeBrokenKit('Channel kit', 'channel', channelRules, [
    variant('sms', 'declares v0 and kind', ['specificationVersion', 'another route']),
    variant('sms', 'refuses everything', [
      'accepts',
      'with its code',
      'permanent failure for',
      'its scope',
      'account notice (no code)',
    ]),
    variant('push', 'refuses everything', ['accepts', 'challenge id', 'permanent failure for', 'its scope']),
    variant('sms', 'answers with a class instance', ['plain JSON']),
    variant('sms', 'sends the text without the code', ['with its code']),
    variant('push', 'puts the push token in the payload', ['challenge id']),
    variant('sms', 'swaps permanent and transient', [
      'plain JSON',
      'permanent failure for',
      'its scope',
      'transient',
    ]),
    variant('sms', 'gives no scope', ['its scope']),
    variant('sms', 'sends any route', ['another route']),
    variant('push', 'checks the route after sending', ['another route']),
    variant('sms', 'logs the message', ['never logs the code', "account notice's link"]),
    variant('sms', 'reads a code from every message', ['account notice (no code)']),
  ]);
}
