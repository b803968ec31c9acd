// The Insight's per-contact history panel (filled from the history API).
export {};
