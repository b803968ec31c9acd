// `pnpm bench` (from the root) runs this: the pure machine against XState v5 on the same chart, then complete
// verifications per second through createVerifier with memory defaults and the share of time spent in crypto.
import { createHmac, randomBytes } from 'node:crypto';
import type { Random } from '@qdesk/core';
import { type SessionEvent, transition, type VerificationSession } from '@qdesk/core/machine';
import { cryptoRandom } from '@qdesk/core/memory';
import { initialTransition, transition as xTransition } from 'xstate';
import { before, beforeNote } from '../../../bench/before.js';
import { createVerificationLoop } from './_verification.js';
import { type XEvent, xstateChart } from './xstate-chart.js';

const ms = (ns: bigint) => Number(ns) / 1e6;
const time = (fn: () => void) => {
  const start = process.hrtime.bigint();
  fn();
  return ms(process.hrtime.bigint() - start);
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// ---------------------------------------------------------------- 1. transition throughput
const RIGHT = 'a'.repeat(64);
const WRONG = 'b'.repeat(64);
const idle: VerificationSession = {
  id: 'vs_bench',
  version: 1,
  tenantId: 't',
  createdAt: 0,
  updatedAt: 0,
  expiresAt: 10_000_000,
  purpose: 'verify',
  technician: { id: 'tech', name: 'Tech' },
  customerId: null,
  endUser: { id: 'eu', displayName: 'U', email: 'u@example.com' },
  ticket: { id: '1', number: 'T1' },
  contactId: null,
  override: null,
  startKey: null,
  requestedMethod: null,
  method: null,
  codeMode: 'verify',
  attempts: 0,
  maxAttempts: 5,
  sends: 0,
  fallbacks: [],
  status: 'idle',
};
// One verification = 4 events: send, two wrong codes, the right code. Push = 2 events: push, approve.
const ours: SessionEvent[][] = [
  [
    {
      type: 'code_sent',
      now: 1,
      code: '123456',
      method: 'sms',
      codeMode: 'verify',
      destination: 'd',
      codeHash: RIGHT,
      expiresAt: 600_000,
    },
    { type: 'code_submitted', now: 2, codeHash: WRONG },
    { type: 'code_submitted', now: 3, codeHash: WRONG },
    { type: 'code_submitted', now: 4, codeHash: RIGHT },
  ],
  [
    {
      type: 'push_sent',
      now: 1,
      method: 'push',
      codeMode: 'verify',
      challengeNonce: 'n',
      matchHash: null,
      expiresAt: 60_000,
    },
    { type: 'device_approved', now: 2, codeHash: null, expiresAt: null },
  ],
];
const theirs: XEvent[][] = [
  [
    { type: 'code_sent', now: 1, codeHash: RIGHT, expiresAt: 600_000 },
    { type: 'code_submitted', now: 2, codeHash: WRONG },
    { type: 'code_submitted', now: 3, codeHash: WRONG },
    { type: 'code_submitted', now: 4, codeHash: RIGHT },
  ],
  [
    { type: 'push_sent', now: 1, expiresAt: 60_000 },
    { type: 'device_approved', now: 2 },
  ],
];
const EVENTS_PER_ROUND = ours.reduce((n, seq) => n + seq.length, 0);

function runOurs(rounds: number) {
  let last: VerificationSession = idle;
  for (let r = 0; r < rounds; r++) {
    for (const seq of ours) {
      let s = idle;
      for (const e of seq) s = transition(s, e).session;
      last = s;
    }
  }
  if (last.status !== 'approved') throw new Error('our chart did not approve');
}
const [xInitial] = initialTransition(xstateChart);
function runTheirs(rounds: number) {
  let last = xInitial;
  for (let r = 0; r < rounds; r++) {
    for (const seq of theirs) {
      let s = xInitial;
      for (const e of seq) s = xTransition(xstateChart, s, e)[0];
      last = s;
    }
  }
  if (last.value !== 'approved') throw new Error('xstate chart did not approve');
}

function eventsPerSecond(run: (rounds: number) => void, rounds: number) {
  run(Math.ceil(rounds / 10)); // warm up
  const samples = [0, 1, 2].map(() => time(() => run(rounds)));
  const best = Math.min(...samples);
  return (rounds * EVENTS_PER_ROUND) / (best / 1000);
}

const oursRate = eventsPerSecond(runOurs, 100_000);
const theirsRate = eventsPerSecond(runTheirs, 10_000);
console.log('QDesk core benchmarks (Node %s, %s)', process.version, process.arch);
console.log(`${beforeNote}\n`);
console.log('1. Pure transition throughput, same chart (SMS: send, 2 wrong, right; push: send, approve)');
console.log(
  `   @qdesk/core transition()   ${fmt(oursRate).padStart(12)} events/s${before('core.transition.ours')}`,
);
console.log(
  `   xstate v5 transition()     ${fmt(theirsRate).padStart(12)} events/s${before('core.transition.xstate')}`,
);
console.log(
  `   ratio                      ${(oursRate / theirsRate).toFixed(1).padStart(12)}x  (goal: at least 10x)${before('core.transition.ratio', 1)}\n`,
);

// ---------------------------------------------------------------- 2. complete verifications per second
// Every CSPRNG draw goes through this wrapper, which times it: the random share is measured, not estimated.
const counts = { int: 0, bytes: 0, randomNs: 0n };
const timed = <T>(fn: () => T): T => {
  const t0 = process.hrtime.bigint();
  const out = fn();
  counts.randomNs += process.hrtime.bigint() - t0;
  return out;
};
const countingRandom: Random = {
  int: (max) => {
    counts.int++;
    return timed(() => cryptoRandom.int(max));
  },
  bytes: (n) => {
    counts.bytes++;
    return timed(() => cryptoRandom.bytes(n));
  },
};
const oneVerification = createVerificationLoop(countingRandom);
for (let i = 0; i < 2000; i++) await oneVerification(); // warm up
counts.int = 0;
counts.bytes = 0;
counts.randomNs = 0n;
const N = 20_000;
const startedAt = process.hrtime.bigint();
for (let i = 0; i < N; i++) await oneVerification();
const totalMs = ms(process.hrtime.bigint() - startedAt);
const perVerification = { int: counts.int / N, bytes: counts.bytes / N, hmac: 2 };

// HMAC-SHA256 runs inside the verifier where it cannot be wrapped; time the same two digests alone.
const key = randomBytes(32);
const hmacMs = time(() => {
  for (let i = 0; i < N * perVerification.hmac; i++) {
    createHmac('sha256', key).update(`code\u0000vs_abcdefghijklmnopqrstuvwx\u0000123456`).digest('hex');
  }
});
const cryptoMs = ms(counts.randomNs) + hmacMs;
const overheadMs = totalMs - cryptoMs;
console.log(
  '2. Complete verifications through createVerifier (memory defaults): start -> send SMS -> right code',
);
console.log(
  `   verifications/s            ${fmt(N / (totalMs / 1000)).padStart(12)}  (${N} in ${totalMs.toFixed(0)} ms, ${((totalMs * 1000) / N).toFixed(1)} us each)${before('core.verifications_per_s')}`,
);
console.log(
  `   crypto per verification    ${perVerification.int} randomInt, ${perVerification.bytes} randomBytes, ${perVerification.hmac} HMAC-SHA256`,
);
console.log(
  `   time in crypto             ${((cryptoMs * 1000) / N).toFixed(1).padStart(8)} us  (${((100 * cryptoMs) / totalMs).toFixed(0)}%: CSPRNG ${((ms(counts.randomNs) * 1000) / N).toFixed(1)} us measured, HMAC ${((hmacMs * 1000) / N).toFixed(1)} us)${before('core.crypto_us', 1)}`,
);
console.log(
  `   everything else            ${((overheadMs * 1000) / N).toFixed(1).padStart(8)} us  (${((100 * overheadMs) / totalMs).toFixed(0)}%)${before('core.overhead_us', 1)}`,
);
console.log(
  `   overhead / crypto          ${(overheadMs / cryptoMs).toFixed(2).padStart(8)}x  (goal: at most 1x)${before('core.overhead_ratio', 2)}`,
);
console.log(
  `   heap used after run        ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1)} MiB${before('core.heap_mib', 1)}`,
);
