import { z } from 'zod';

// Autotask adds fields over time: every record schema is loose (unknown keys kept) and checks only what QDesk reads.
const id = z.number().int().nonnegative();
const optionalId = id.nullish();
const text = z.string().nullish();

/** Schema of a Ticket as `GET /Tickets/{id}` and `POST /Tickets/query` return it. @public */
export const ticketRecordSchema = z.looseObject({
  id,
  ticketNumber: z.string(),
  title: z.string(),
  companyID: optionalId,
  contactID: optionalId,
  status: z.number().int().nullish(),
  assignedResourceID: optionalId,
});
/** A Ticket (the fields QDesk reads; others are kept as unknown). @public */
export type TicketRecord = z.output<typeof ticketRecordSchema>;

/** Schema of a Contact. Note `isActive` is an integer 0/1 on Contacts. @public */
export const contactRecordSchema = z.looseObject({
  id,
  companyID: id,
  firstName: text,
  lastName: text,
  emailAddress: text,
  emailAddress2: text,
  emailAddress3: text,
  mobilePhone: text,
  phone: text,
  isActive: z.union([z.literal(0), z.literal(1)]),
});
/** A Contact. @public */
export type ContactRecord = z.output<typeof contactRecordSchema>;

/** Schema of a Company. Note `isActive` is a boolean on Companies. @public */
export const companyRecordSchema = z.looseObject({
  id,
  companyName: z.string(),
  isActive: z.boolean(),
  webAddress: text,
});
/** A Company. @public */
export type CompanyRecord = z.output<typeof companyRecordSchema>;

/** Schema of a TicketNote (`/TicketNotes` and `/Tickets/{id}/Notes`). @public */
export const ticketNoteRecordSchema = z.looseObject({
  id,
  ticketID: id,
  title: text,
  description: text,
  noteType: z.number().int().nullish(),
  publish: z.number().int().nullish(),
  createDateTime: text,
});
/** A TicketNote. @public */
export type TicketNoteRecord = z.output<typeof ticketNoteRecordSchema>;

/** Schema of a Resource (a technician or the API user). `isActive` is a boolean. @public */
export const resourceRecordSchema = z.looseObject({
  id,
  firstName: text,
  lastName: text,
  email: text,
  userName: text,
  isActive: z.boolean().nullish(),
});
/** A Resource. @public */
export type ResourceRecord = z.output<typeof resourceRecordSchema>;

/** Any Autotask record: an `id` and whatever else the entity has. @public */
export type AutotaskRecord = { id: number } & Record<string, unknown>;

/** Schema of a record of an entity this package has no specific schema for. @public */
export const anyRecordSchema: z.ZodType<AutotaskRecord> = z.looseObject({ id });

/** Entities with a specific record schema and type. @public */
export interface AutotaskEntityRecords {
  /** Tickets. */
  Tickets: TicketRecord;
  /** Contacts. */
  Contacts: ContactRecord;
  /** Companies. */
  Companies: CompanyRecord;
  /** Ticket notes. */
  TicketNotes: TicketNoteRecord;
  /** Resources. */
  Resources: ResourceRecord;
}

/** An entity name as it appears in the URL: a known one or any other Autotask entity. @public */
export type AutotaskEntity = keyof AutotaskEntityRecords | (string & {});

/** The record type of an entity: a specific one for known entities, {@link AutotaskRecord} otherwise. @public */
export type EntityRecord<E extends string> = E extends keyof AutotaskEntityRecords
  ? AutotaskEntityRecords[E]
  : AutotaskRecord;

const SCHEMAS: Record<keyof AutotaskEntityRecords, z.ZodType> = {
  Tickets: ticketRecordSchema,
  Contacts: contactRecordSchema,
  Companies: companyRecordSchema,
  TicketNotes: ticketNoteRecordSchema,
  Resources: resourceRecordSchema,
};

/**
 * The schema a response record of `entity` is checked with. Entities are matched case-insensitively, like Autotask;
 * with `IncludeFields` only `id` is checked (the other fields may be absent by request).
 * @internal
 */
export function recordSchemaFor(entity: string, partial: boolean): z.ZodType {
  if (partial) return anyRecordSchema;
  const key = (Object.keys(SCHEMAS) as Array<keyof AutotaskEntityRecords>).find(
    (name) => name.toLowerCase() === entity.toLowerCase(),
  );
  return key ? SCHEMAS[key] : anyRecordSchema;
}

/** Zone information as `zoneInformation?user=` returns it. @public */
export const zoneInformationSchema = z.looseObject({
  zoneName: z.string().nullish(),
  url: z.url({ protocol: /^https?$/ }),
  webUrl: z.string().nullish(),
  ci: z.number().int().nullish(),
});

/** Envelope of a page of query results. @internal */
export const pageEnvelopeSchema = z.looseObject({
  items: z.array(z.unknown()),
  pageDetails: z.looseObject({
    count: z.number().int().nonnegative().nullish(),
    requestCount: z.number().int().nullish(),
    prevPageUrl: z.string().nullish(),
    nextPageUrl: z.string().nullish(),
  }),
});

/** Envelope of a get-by-id. @internal */
export const itemEnvelopeSchema = z.looseObject({ item: z.unknown().nullable() });
/** Envelope of a count. @internal */
export const countEnvelopeSchema = z.looseObject({ queryCount: z.number().int().nonnegative() });
/** Envelope of a create. @internal */
export const createEnvelopeSchema = z.looseObject({ itemId: z.union([id, z.string().regex(/^\d+$/)]) });
