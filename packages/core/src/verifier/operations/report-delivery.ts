import { eventBase } from '../../events.js';
import type { DeliveryStatusReport } from '../../ports/channel.js';
import { reportedFailureReason } from '../delivery-failures.js';
import { load, publish, type Runtime, record, systemActor } from '../runtime.js';

// The report-delivery operation: a provider's later status for a message (a Twilio status callback). It is audited;
// a failure is announced as `delivery.failed` so the technician's screen can offer another route.

export async function reportDelivery(rt: Runtime, report: DeliveryStatusReport): Promise<void> {
  const session = await load(rt, report.tenantId, report.sessionId);
  const failed = report.status === 'failed' || report.status === 'undelivered';
  await record(rt, session, {
    action: 'delivery_report',
    actor: systemActor,
    result: report.status,
    detail: {
      route: report.route,
      provider: report.provider,
      providerMessageId: report.providerMessageId,
      ...(failed ? { permanent: report.permanent, reason: reportedFailureReason(report) } : {}),
    },
  });
  if (failed) {
    publish(rt, 'delivery.failed', {
      ...eventBase(session, rt.clock.now()),
      route: report.route,
      permanent: report.permanent,
      reason: reportedFailureReason(report),
    });
  }
}
