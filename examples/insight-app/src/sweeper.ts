import type { Verifier } from '@qdesk/core';

/** How often the app sweeps by default: a timed-out verification gets its note within a few seconds. */
export const SWEEP_INTERVAL_MS = 5_000;

export interface Sweeper {
  /** Stops the timer and waits for a sweep in progress, so nothing writes after shutdown. */
  stop(): Promise<void>;
}

/**
 * Runs `verifier.sweep()` every `intervalMs`, draining while it reports `more`.
 *
 * Note: expiry is lazy in core, so a session nobody reads again would never get its "timed out" audit record, event
 * and ticket note. The sweep gives each one exactly once, even with several instances sweeping the same store. The
 * timer is unref'd so it never keeps the process (or a test run) alive on its own; sweeps never overlap.
 */
export function startSweeper(
  verifier: Verifier,
  options: {
    intervalMs?: number;
    onError?: (error: unknown) => void;
    /** Other upkeep to run after each sweep (deleting expired sign-ins); its failure is reported like a sweep's. */
    upkeep?: () => Promise<unknown>;
  } = {},
): Sweeper {
  const onError =
    options.onError ??
    // The message only: a port's error could quote what it was storing.
    ((error: unknown) => console.error(`QDesk sweep failed: ${(error as Error)?.message ?? String(error)}`));
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        for (let round = 0; round < 10 && !stopped; round++) {
          const { more } = await verifier.sweep({ limit: 100 });
          if (!more) break;
        }
        if (!stopped) await options.upkeep?.();
      } catch (error) {
        onError(error);
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(tick, options.intervalMs ?? SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
