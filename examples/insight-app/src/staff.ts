import type { Actor } from '@qdesk/core';
import type { StaffRole, Technician } from './security.js';

// Who works at the MSP, as the app knows them: the signed-in technician (or administrator) behind every API call.

/** A member of the demo MSP's staff; demo mode's sign-in page lets the visitor be any of them. */
export interface DemoStaffMember {
  id: string;
  name: string;
  role: StaffRole;
  /** As a single sign-on would give it; the Autotask fake holds a resource with this email. */
  email: string;
}

/**
 * Two technicians (so a take-over can be tried) and an administrator (policies, unlocks). The first is who a demo
 * visitor is signed in as on first visit.
 */
export const DEMO_STAFF: readonly DemoStaffMember[] = [
  { id: 'tech-demo', name: 'Sam Rivera', role: 'technician', email: 'sam.rivera@qdesk-msp.example' },
  { id: 'tech-jo', name: 'Jo Park', role: 'technician', email: 'jo.park@qdesk-msp.example' },
  { id: 'admin-demo', name: 'Alex Morgan', role: 'admin', email: 'alex.morgan@qdesk-msp.example' },
];
export const DEMO_TECHNICIAN = DEMO_STAFF[0]!;
export const DEMO_ADMIN = DEMO_STAFF[2]!;

/**
 * The verifier's actor for a signed-in technician. The role comes from the signed sign-in cookie (what the
 * credential proved), never from the request, as core asks.
 */
export function actorFor(tenantId: string, tech: Pick<Technician, 'id' | 'name' | 'role' | 'email'>): Actor {
  return {
    tenantId,
    technicianId: tech.id,
    technicianName: tech.name,
    role: tech.role,
    ...(tech.email ? { technicianEmail: tech.email } : {}),
  };
}
