// Where one verification's time goes: runs complete SMS verifications (start -> send -> right code, memory
// defaults) under V8's sampling profiler and adds up self time by the source file it was spent in. Run from the
// sources (`tsx --conditions=qdesk-source`), so each sample names a file of @qdesk/core rather than a bundle chunk.

import { Session } from 'node:inspector/promises';
import { createVerificationLoop } from './_verification.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
  children?: number[];
}

const oneVerification = createVerificationLoop();

for (let i = 0; i < 3000; i++) await oneVerification();
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 50 });
await session.post('Profiler.start');
const N = 20_000;
for (let i = 0; i < N; i++) await oneVerification();
const { profile } = (await session.post('Profiler.stop')) as {
  profile: { nodes: ProfileNode[]; startTime: number; endTime: number };
};
session.disconnect();

const parentOf = new Map<number, ProfileNode>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);

/** Which part of the work a sample belongs to, by the file (or V8 pseudo-frame) it ran in. */
function bucket(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  // Native code (no URL) belongs to whoever called it: OpenSSL's random fill under node's crypto module is CSPRNG.
  const caller = url === '' ? parentOf.get(node.id)?.callFrame.url : undefined;
  if (caller?.includes('crypto')) return 'node: crypto (CSPRNG, HMAC)';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)')
    return 'V8 / event loop';
  const core = url.match(/packages\/core\/src\/(.+?)\.ts$/);
  if (core) return `core: ${core[1]}`;
  if (url.includes('/zod/')) return 'zod (input validation)';
  if (url.startsWith('node:crypto') || url.includes('internal/crypto')) return 'node: crypto (CSPRNG, HMAC)';
  if (url === '') return `native: ${functionName || '(anonymous)'}`;
  if (url.startsWith('node:')) return `node: ${url.replace(/^node:/, '')}`;
  return url.split('/node_modules/').at(-1)?.split('/')[0] ?? url;
}

const totals = new Map<string, number>();
let hits = 0;
for (const node of profile.nodes) {
  const count = node.hitCount ?? 0;
  hits += count;
  totals.set(bucket(node), (totals.get(bucket(node)) ?? 0) + count);
}
const usPerVerification = (profile.endTime - profile.startTime) / N;
console.log(
  `3. Where a verification's ${usPerVerification.toFixed(1)} us go (V8 sampling profile, ${N} verifications, self time)`,
);
console.log(
  '   (sampling inflates time in native calls: take the crypto cost from section 2, which measures it directly)',
);
for (const [name, count] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 16)) {
  const share = count / hits;
  console.log(
    `   ${name.padEnd(36)} ${(share * usPerVerification).toFixed(1).padStart(7)} us  ${(share * 100).toFixed(1).padStart(5)}%`,
  );
}
