import type { JsonObject } from './_json.js';
import { SCIM_USER_SCHEMA } from './scim-user.js';

/** SCIM's message and discovery schemas (RFC 7643 section 8.7, RFC 7644 section 3.4.2). @internal */
export const SCHEMAS = {
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** `/ServiceProviderConfig`: what this endpoint does (RFC 7643, section 5). @internal */
export function serviceProviderConfig(base: string, maxResults: number): JsonObject {
  return {
    schemas: [SCHEMAS.serviceProviderConfig],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description:
          'The per-customer token an administrator generated in QDesk, as Authorization: Bearer <token>.',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

/** The one resource type served: User, without extensions (an extension sent is kept as is, not interpreted). @internal */
export function userResourceType(base: string): JsonObject {
  return {
    schemas: [SCHEMAS.resourceType],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'An end-user of the customer, as the identity provider provisions them.',
    schema: SCIM_USER_SCHEMA,
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
  };
}

type Attribute = JsonObject;

function attribute(name: string, description: string, more: Partial<Attribute> = {}): Attribute {
  return {
    name,
    type: 'string',
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...more,
  };
}

const contactValue = (what: string, types: string[]): Attribute[] => [
  attribute('value', `The ${what}.`),
  attribute('type', `What the ${what} is.`, { canonicalValues: types }),
  attribute('primary', `Whether this is the primary ${what}; at most one is.`, { type: 'boolean' }),
];

/** The User schema as served (RFC 7643, section 7): the attributes QDesk reads. @internal */
export function userSchema(base: string): JsonObject {
  return {
    schemas: [SCHEMAS.schema],
    id: SCIM_USER_SCHEMA,
    name: 'User',
    description: 'An end-user. QDesk reads these attributes; others are kept as sent and returned on reads.',
    attributes: [
      attribute('userName', 'Unique name of the user, usually the sign-in name.', {
        required: true,
        uniqueness: 'server',
      }),
      attribute('name', 'The parts of the name.', {
        type: 'complex',
        subAttributes: [
          'formatted',
          'familyName',
          'givenName',
          'middleName',
          'honorificPrefix',
          'honorificSuffix',
        ].map((part) => attribute(part, `The ${part} part of the name.`)),
      }),
      attribute('displayName', 'Name to show.'),
      attribute('active', 'Whether the account is enabled; a deactivated user cannot be verified.', {
        type: 'boolean',
      }),
      attribute('emails', 'Email addresses; the primary (else the work) one is where email codes may go.', {
        type: 'complex',
        multiValued: true,
        subAttributes: contactValue('email address', ['work', 'home', 'other']),
      }),
      attribute(
        'phoneNumbers',
        'Phone numbers; mobile ones can take SMS codes, work ones are office lines.',
        {
          type: 'complex',
          multiValued: true,
          subAttributes: contactValue('phone number', ['mobile', 'work', 'home', 'fax', 'pager', 'other']),
        },
      ),
    ],
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${SCIM_USER_SCHEMA}` },
  };
}
