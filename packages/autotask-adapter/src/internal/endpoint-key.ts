/**
 * Child collections count against their own entity's thread limit: Autotask's limit is per object endpoint, and a
 * ticket note is a TicketNote whether it is reached as `/TicketNotes` or `/Tickets/{id}/Notes`.
 */
const CHILD_ENTITIES: Record<string, string> = {
  'tickets/notes': 'TicketNotes',
  'companies/contacts': 'Contacts',
  'companies/notes': 'CompanyNotes',
};

/**
 * The thread-limit key of a request path below `V1.0/`: `Contacts/query/next` -> `Contacts`,
 * `Tickets/12/Notes` -> `TicketNotes`. Shared by the client's limiter and the fake's in-flight counter.
 */
export function endpointKey(path: string): string {
  const segments = path
    .split('?')[0]!
    .split('/')
    .filter((s) => s.length > 0);
  const entity = segments[0] ?? '';
  const child = segments[2];
  if (child !== undefined && /^\d+$/.test(segments[1] ?? '') && !/^entityinformation$/i.test(child)) {
    const known = CHILD_ENTITIES[`${entity.toLowerCase()}/${child.toLowerCase()}`];
    return known ?? `${canonical(entity)}/${canonical(child)}`;
  }
  return canonical(entity);
}

const CANONICAL = new Map(
  [
    'Tickets',
    'TicketNotes',
    'Contacts',
    'Companies',
    'CompanyNotes',
    'Resources',
    'ThresholdInformation',
  ].map((name) => [name.toLowerCase(), name]),
);

/** Autotask paths are case-insensitive; one spelling per entity keeps the counters together. */
function canonical(segment: string): string {
  return CANONICAL.get(segment.toLowerCase()) ?? segment;
}
