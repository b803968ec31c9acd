// Loads oidc-provider once, without its one start-up warning that does not apply here.
//
// Note: oidc-provider 9 prints "Unsupported runtime. Use Node.js v22.x LTS ..." when imported on Node 20, which this
// repository supports (20.19+) and tests on. Only that exact warning is dropped, only while the module is first
// evaluated; every other console.warn passes through unchanged.

type OidcProviderModule = typeof import('oidc-provider');

const RUNTIME_WARNING = 'oidc-provider WARNING: Unsupported runtime.';

let loading: Promise<OidcProviderModule> | undefined;

/** The `oidc-provider` module (imported on first call, then the same promise). */
export function loadOidcProvider(): Promise<OidcProviderModule> {
  loading ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes(RUNTIME_WARNING)) return;
      warn.apply(console, args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return loading;
}
