import { startBenchServer } from './process.ts';
import { benchSlotsVsHello } from './http.ts';
const s = await startBenchServer();
try {
  const r = await benchSlotsVsHello(s.url, { seconds: 6 });
  console.log(JSON.stringify({ hello: r.hello.reqPerSec, slots: r.slots.reqPerSec, ratio: r.ratio, v1: (r as any).v1 ?? null }, null, 0));
} finally { await s.stop(); }
