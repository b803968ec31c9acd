import { benchDiag } from './_diag.js';
await benchDiag({ maxCount: Number(process.env.N ?? 2000), maxMs: Number(process.env.MS ?? 10000) });
