import type { ChannelLogger } from '../logger.js';

/** A logger that keeps every line (message and details as JSON), for the conformance kit's logging rule. */
export function createRecordingLogger(): ChannelLogger & { lines(): Promise<string[]> } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, details?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(details ?? {})}`);
  return { info: keep('info'), warn: keep('warn'), lines: async () => [...lines] };
}
