import type { Actor } from '@qdesk/core';
import type { StaffRole, Technician } from './security.js';

// Who works at the MSP, as the app knows them: the signed-in technician (or administrator) behind every API call.

/** A member of the demo MSP's staff; demo mode's sign-in page lets the visitor be any of them. */
export interface DemoStaffMember {
  id: string;
  name: string;
  role: StaffRole;
}

/**
 * Two technicians (so a take-over can be tried) and an administrator (policies, unlocks). The first is who a demo
 * visitor is signed in as on first visit.
 */
export const DEMO_STAFF: readonly DemoStaffMember[] = [
  { id: 'tech-demo', name: 'Sam Rivera', role: 'technician' },
  { id: 'tech-jo', name: 'Jo Park', role: 'technician' },
  { id: 'admin-demo', name: 'Alex Morgan', role: 'admin' },
];
export const DEMO_TECHNICIAN = DEMO_STAFF[0]!;
export const DEMO_ADMIN = DEMO_STAFF[2]!;

/**
 * The verifier's actor for a signed-in technician. The role comes from the signed sign-in cookie (what the
 * credential proved), never from the request, as core asks.
 */
export function actorFor(tenantId: string, tech: Pick<Technician, 'id' | 'name' | 'role'>): Actor {
  return { tenantId, technicianId: tech.id, technicianName: tech.name, role: tech.role };
}
