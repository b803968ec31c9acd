// What the technician's and the end-user's countdowns share: how time left reads, and when it is read out.

/** A countdown is read out to screen readers at these seconds left only, never every second. */
export const ANNOUNCE_AT = [30, 10];

/** Whole seconds left as `m:ss` ("0:58"). */
export const mmss = (seconds) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
