import { benchVerifications } from './verifications.js';
await benchVerifications({ maxCount: Number(process.env.N ?? 2000), maxMs: Number(process.env.MS ?? 10000) });
