// Benchmarks of @qdesk/store-postgres on the local PostgreSQL (127.0.0.1:5432, or QDESK_BENCH_DATABASE_URL); each
// bench creates a scratch database and drops it. Run: npx tsx --conditions=qdesk-source bench/run.ts
import { benchAuditVerify } from './audit-verify.js';
import { benchMatching } from './matching.js';
import { benchVerifications } from './verifications.js';

await benchVerifications();
await benchAuditVerify();
await benchMatching();
