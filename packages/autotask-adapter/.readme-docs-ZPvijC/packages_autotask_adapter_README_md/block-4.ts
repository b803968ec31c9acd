import { createServer } from 'node:http';
import { parseAutotaskWebhook, verifyAutotaskWebhook } from '@qdesk/autotask-adapter';

createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (
    !verifyAutotaskWebhook(raw, req.headers['x-hook-signature'] as string, process.env.AUTOTASK_HOOK_SECRET!)
  ) {
    res.writeHead(401).end();
    return;
  }
  const event = parseAutotaskWebhook(raw); // { Action, Guid, EntityType, Id, Fields, EventTime, SequenceNumber, PersonID }
  if (event.EntityType === 'Contact') console.log(`contact ${event.Id}: ${event.Action}`);
  res.writeHead(200).end();
}).listen(8080);

export {};
