import type { Outcome } from '../types.js';

/**
 * The outcome as a technician reads it. The first two are the exact texts technicians know from the Insight.
 * @public
 */
export const OUTCOME_TEXT: Readonly<Record<Outcome, string>> = {
  approved: 'User Identity Successfully Verified',
  denied: 'Unable to Verify Identity',
  expired: 'Verification Timed Out',
  cancelled: 'Verification Cancelled',
  failed: 'Verification Could Not Be Delivered',
};
