import { ConfigError } from '@qdesk/core';

/** An optional peer dependency a channel loads on first use, and what to tell a user who has not installed it. */
export interface OptionalPeer {
  /** The npm package (`nodemailer`, `web-push`). */
  name: string;
  /** A function the package exports, to find its API on the namespace or on the CommonJS default export. */
  exports: string;
  /** The setting that needs the package (`smtp`, `library`), named in the error. */
  setting: string;
  /** The other way out, completing "Install it (pnpm add x) or ..." (`pass your own transport`). */
  instead: string;
}

/**
 * Imports an optional peer dependency, so a user who never sends through the channel (or injects their own client)
 * does not need it installed. `load` is a literal `() => import('x')`, which bundlers can follow.
 * @throws ConfigError naming the setting when the package is not installed.
 */
export async function loadOptionalPeer<T>(load: () => Promise<unknown>, peer: OptionalPeer): Promise<T> {
  let mod: Record<string, unknown> & { default?: unknown };
  try {
    mod = (await load()) as typeof mod;
  } catch (cause) {
    throw new ConfigError(
      `The "${peer.name}" package is not installed. Install it (pnpm add ${peer.name}) or ${peer.instead}.`,
      { issues: [{ path: peer.setting, message: `${peer.name} is not installed` }], cause },
    );
  }
  // CommonJS through ESM: the API may sit on the namespace or on its default export.
  return (typeof mod[peer.exports] === 'function' ? mod : mod.default) as T;
}

/** A value made on first use and shared after; see {@link lazy}. */
export interface Lazy<T> {
  /** The value, making it on the first call (or the first call after a failure). */
  get(): Promise<T>;
  /** Forgets the value and returns what was made, if anything was, so the caller can release it. */
  take(): Promise<T> | undefined;
}

/**
 * Makes a value on first use and shares the one promise among concurrent callers. A failed attempt is forgotten,
 * so a later call tries again instead of replaying the same rejection.
 */
export function lazy<T>(make: () => Promise<T>): Lazy<T> {
  let current: Promise<T> | undefined;
  return {
    get() {
      if (!current) {
        const made = make();
        made.catch(() => {
          if (current === made) current = undefined;
        });
        current = made;
      }
      return current;
    },
    take() {
      const made = current;
      current = undefined;
      return made;
    },
  };
}
