import { ConfigError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import { lazy, loadOptionalPeer } from './optional-peer.js';

const peer = { name: 'left-pad-x', exports: 'pad', setting: 'library', instead: 'pass it as library' };

describe('loadOptionalPeer', () => {
  it('finds the API on the namespace or on the CommonJS default export', async () => {
    const pad = () => 'padded';
    expect(await loadOptionalPeer(async () => ({ pad }), peer)).toEqual({ pad });
    expect(await loadOptionalPeer(async () => ({ default: { pad } }), peer)).toEqual({ pad });
  });

  it('turns a missing package into a ConfigError naming the setting and the way out', async () => {
    const missing = new Error("Cannot find package 'left-pad-x'");
    const error = await loadOptionalPeer(() => Promise.reject(missing), peer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      message: expect.stringMatching(/pnpm add left-pad-x\) or pass it as library/),
      issues: [{ path: 'library', message: 'left-pad-x is not installed' }],
      cause: missing,
    });
  });
});

describe('lazy', () => {
  it('makes the value once for concurrent callers, and again after a failure', async () => {
    let calls = 0;
    const value = lazy(async () => {
      calls += 1;
      if (calls === 1) throw new Error('first attempt fails');
      return calls;
    });
    await expect(value.get()).rejects.toThrow('first attempt fails');
    expect(await Promise.all([value.get(), value.get()])).toEqual([2, 2]);
    expect(calls).toBe(2);
    expect(await value.take()).toBe(2);
    expect(value.take()).toBeUndefined();
    expect(await value.get()).toBe(3);
  });
});
