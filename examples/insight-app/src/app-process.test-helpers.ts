import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type DemoBrowsers, demoBrowsers } from './demo-browser.test-helpers.js';

// The reference app as a real operating-system process (`tsx src/main.ts`), driven over HTTP as a browser would:
// what a restart and a second instance need to be tested for real, not as a second object in one process.

const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface AppProcess extends DemoBrowsers {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Stops the process with a signal (SIGTERM: a clean stop; SIGKILL: a crash) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the app with these variables (demo mode unless they say otherwise) and waits until it listens. */
export async function startAppProcess(
  variables: Record<string, string>,
  timeoutMs = 60_000,
): Promise<AppProcess> {
  const child: ChildProcess = spawn(tsx, ['--conditions=qdesk-source', main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CI: '', ...variables },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app did not start in time:\n${printed}`)),
      timeoutMs,
    );
    const read = (chunk: Buffer) => {
      printed += chunk.toString();
      // The start-up lines end with where the data is kept.
      const listening = /QDesk Insight app on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*\n {2}Data: [^\n]*\n/.exec(
        printed,
      );
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with ${code} before it listened:\n${printed}`));
    });
  });
  const exited = once(child, 'exit');

  const browsers = demoBrowsers(base, (url, init) => fetch(url, { ...init, redirect: 'manual' }));

  return {
    base,
    output: () => printed,
    ...browsers,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
