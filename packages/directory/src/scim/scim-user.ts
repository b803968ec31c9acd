/** SCIM's core User schema (RFC 7643, section 4.1). @public */
export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** SCIM's enterprise User extension (RFC 7643, section 4.3); kept as sent, not used by QDesk. @public */
export const SCIM_ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A JSON value as an identity provider sends it. @public */
export type ScimJsonValue =
  | string
  | number
  | boolean
  | null
  | ScimJsonValue[]
  | { [key: string]: ScimJsonValue };

/** A SCIM user's `name` (RFC 7643, section 4.1.1); every part optional. @public */
export interface ScimName {
  /** The full name to show ("Ms. Barbara J Jensen, III"). */
  formatted?: string;
  /** Family (last) name. */
  familyName?: string;
  /** Given (first) name. */
  givenName?: string;
  /** Middle name(s). */
  middleName?: string;
  /** Title before the name ("Ms."). */
  honorificPrefix?: string;
  /** Suffix after the name ("III"). */
  honorificSuffix?: string;
}

/** One of a SCIM user's `emails` or `phoneNumbers`: the value, its type, and whether it is the primary one. @public */
export interface ScimContactValue {
  /** The address or number as the identity provider sent it (trimmed). */
  value: string;
  /** `work`, `home`, `mobile`, `other`... as sent (lower case), or `null` when none was sent. */
  type: string | null;
  /** Whether the identity provider marked it primary; at most one per attribute is. */
  primary: boolean;
}

/**
 * What QDesk keeps of a SCIM User: the attributes it uses, typed, and every other attribute the identity provider
 * sent (`title`, `addresses`, the enterprise extension...) as sent, returned on reads so the provider sees what it
 * wrote. Never a password: `password` is dropped on the way in.
 * @public
 */
export interface ScimUserData {
  /** The schemas the resource uses: always the core User schema, and any extension the provider sent. */
  schemas: string[];
  /** The provider's unique name for the user (usually the sign-in name); unique per customer without regard to case. */
  userName: string;
  /** The provider's own id for the user (Entra object id or mail nickname, Okta user id), or `null`. */
  externalId: string | null;
  /** Whether the account is enabled. A deactivated user is dropped from verification. */
  active: boolean;
  /** Name to show, or `null`. */
  displayName: string | null;
  /** The parts of the name, or `null` when none was sent. */
  name: ScimName | null;
  /** Email addresses. */
  emails: ScimContactValue[];
  /** Phone numbers, raw (normalised to E.164 by the directory sync, not here). */
  phoneNumbers: ScimContactValue[];
  /** Every other attribute, as sent (keys as the provider spelled them). */
  extra: { [key: string]: ScimJsonValue };
}

/** A SCIM User as a {@link ScimUserStore} holds it: QDesk's id, the data, and SCIM's `meta`. @public */
export interface ScimUserRecord {
  /** QDesk's id for the user (SCIM `id`), made up on creation, never reused. The directory's `externalId`. */
  readonly id: string;
  /** The user's attributes. */
  readonly user: ScimUserData;
  /** When the user was created here (epoch ms): `meta.created`. */
  readonly created: number;
  /** When the user last changed here (epoch ms): `meta.lastModified`. */
  readonly lastModified: number;
  /** Starts at 1 and grows by one on each write: `meta.version` and the ETag. */
  readonly version: number;
}
