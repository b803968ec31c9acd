/**
 * How an end-user proves who they are.
 *
 * - `sms` / `email`: a one-time code the caller reads back to the technician.
 * - `push`: Approve / Deny in the end-user's self-serve app (60 s window).
 * - `push_code`: push; after Approve the app shows a code the caller reads back.
 * - `number_match`: the technician reads a code to the caller, who types it into the app; only a match approves.
 * @public
 */
export type Method = 'sms' | 'email' | 'push' | 'push_code' | 'number_match';

/**
 * Every {@link Method}, in the order a picker shows them: the NIST SP 800-63B rev 4 conforming methods first
 * (number match is the default), then the ones a policy turns on only with a recorded risk acceptance.
 * @public
 */
export const METHODS: readonly Method[] = ['number_match', 'push_code', 'sms', 'push', 'email'];

/** The methods that start with a push to the end-user's app. @public */
export const PUSH_METHODS: readonly Method[] = ['push', 'push_code', 'number_match'];

/** True when `method` starts with a push (and so can fall back to a code). @public */
export function isPushMethod(method: Method): method is 'push' | 'push_code' | 'number_match' {
  return method === 'push' || method === 'push_code' || method === 'number_match';
}

/**
 * How a code read back by the caller is judged.
 * - `verify` (default): the technician types the code and QDesk checks it.
 * - `compare`: the technician sees the code and compares by eye, then approves or denies.
 * @public
 */
export type CodeMode = 'verify' | 'compare';

/**
 * A delivery route: how a message reaches the end-user. A {@link Channel} serves one route; a message names the
 * route it takes.
 * @public
 */
export type Route = 'sms' | 'email' | 'push';

/** The routes a code travels by (a push carries no code). @public */
export type CodeRoute = 'sms' | 'email';

/** Who performs an operation: a signed-in technician of one tenant (an MSP). @public */
export interface Actor {
  /** The MSP the technician belongs to; a session is only visible to its own tenant. */
  tenantId: string;
  /** Stable id of the technician (PSA resource id, SSO subject...). */
  technicianId: string;
  /** Display name, shown to the end-user ("Only read this code to <name>"). */
  technicianName: string;
  /**
   * The technician's email as the MSP's single sign-on gave it, when known. A PSA adapter may use it to write the
   * ticket note as that person (Autotask finds their resource by it). Set it only from the sign-in, never from a
   * request field.
   */
  technicianEmail?: string;
  /**
   * `admin` may also change policies, unlock end-users and allow a ticket override (default `technician`). Set it
   * only from what the MSP's single sign-on says, never from a request field.
   */
  role?: 'technician' | 'admin';
}

/** Platform of a registered device. @public */
export type DevicePlatform = 'ios' | 'android' | 'web';

/** The notification permission a device last reported. `unknown` when it never reported. @public */
export type NotificationPermission = 'granted' | 'denied' | 'default' | 'unknown';

/** A device the end-user registered in the self-serve app. @public */
export interface Device {
  /** Stable id of the device registration. */
  id: string;
  /** Which push service reaches it: APNs (`ios`), FCM (`android`) or Web Push (`web`). */
  platform: DevicePlatform;
  /** The push address: an APNs or FCM token, or a Web Push subscription serialised as JSON. */
  pushAddress: string;
  /** The notification permission the app last reported with its token. */
  notificationPermission: NotificationPermission;
  /** Epoch milliseconds of the last report, if known. */
  lastSeenAt?: number;
  /** Optional label ("Work iPhone"). */
  label?: string;
}

/**
 * Where a phone number or email address came from, so a technician (and a policy) can tell a number the end-user
 * registered for MFA at their identity provider from one only a PSA contact holds.
 * - `idp_mfa`: an authentication method registered at the identity provider (Microsoft Entra ID phone methods).
 * - `directory`: an attribute of the account in the directory (Entra ID `mobilePhone`, Active Directory `mobile`).
 * - `scim`: pushed by an identity provider through SCIM provisioning.
 * - `psa`: a PSA contact's field.
 * - `manual`: typed in by an administrator, or a file of end-users.
 * @public
 */
export type ContactSource = 'idp_mfa' | 'directory' | 'scim' | 'psa' | 'manual';

/** Every {@link ContactSource}, most trusted first. @public */
export const CONTACT_SOURCES: readonly ContactSource[] = ['idp_mfa', 'directory', 'scim', 'psa', 'manual'];

/** Where one contact point came from and when it last changed. @public */
export interface ContactProvenance {
  /** Where it came from. */
  source: ContactSource;
  /**
   * Epoch milliseconds of the last change a sync saw (a new number is a new authenticator: NIST SP 800-63B rev 4,
   * 3.1.3.3), or `null` when it has not changed since it was first imported.
   */
  changedAt: number | null;
}

/** An end-user account in the directory: the person a verification proves. @public */
export interface EndUser {
  /** Stable id in the directory. */
  id: string;
  /** The tenant (MSP) that manages this end-user. */
  tenantId: string;
  /** Primary email; a PSA contact's email leads here. */
  email: string;
  /** Name shown to technicians. */
  displayName: string;
  /** Mobile phone in E.164 (`+15551234567`) or `null` when none is on file. SMS goes only to this number. */
  mobilePhone: string | null;
  /** Customer (client company) this end-user belongs to, if known. */
  customerId?: string;
  /** Registered devices for push methods. */
  devices: Device[];
  /** Where the email and the mobile phone on file came from, when a directory source recorded it. */
  provenance?: { email?: ContactProvenance; mobilePhone?: ContactProvenance };
}

/** The ticket a verification is bound to. @public */
export interface TicketRef {
  /** The PSA's ticket id. */
  id: string;
  /** Human ticket number (`T20240101.0001`). */
  number: string;
  /** Ticket title, when known. */
  title?: string;
  /** The ticket company's name, shown to the end-user. */
  companyName?: string;
}

/** Why a push method became a code. @public */
export type FallbackReason =
  | 'no_push_device'
  | 'notifications_denied'
  | 'push_failed_permanently'
  | 'push_unreachable'
  | 'channel_failed';

/** Terminal outcome of a verification. @public */
export type Outcome = 'approved' | 'denied' | 'expired' | 'cancelled' | 'failed';

/** Why a session ended up `denied`. @public */
export type DenyReason = 'technician_denied' | 'device_denied' | 'too_many_attempts' | 'number_mismatch';

/** Who caused a change. @public @inline */
export type ChangedBy = 'technician' | 'device' | 'system';
