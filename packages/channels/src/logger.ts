/**
 * Where a channel writes operational notes (a text that needs several SMS segments, a refreshed provider token).
 * `console` fits, and so does any logger with `info` and `warn` methods taking a message first.
 *
 * Note: channels never pass a message text, code or credential to the logger; the console channel is the one
 * exception, because printing what was sent is its whole purpose.
 * @public
 */
export interface ChannelLogger {
  /** Routine information. */
  info(message: string, details?: Record<string, unknown>): void;
  /** Something the operator should look at; the send itself went ahead. */
  warn(message: string, details?: Record<string, unknown>): void;
}

/** A logger that drops everything: the default when none is given. @public */
export const silentLogger: ChannelLogger = {
  info() {},
  warn() {},
};
