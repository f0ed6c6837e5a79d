/**
 * EMV QR decode speed: parses and fully validates (TLV, CRC-16 over UTF-8, mandatory objects,
 * formats, templates) every published payload of ../shared/vectors/emv-qr.json plus a built
 * dynamic code, in a tight loop, and prints decodes per second per payload. Target ≥ 100,000/s.
 *
 *   npx tsx bench/qr-decode.ts [seconds-per-payload=1]
 *
 * A benchmark, not a test: it prints a table and never fails on timings.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { buildMerchantQr, crc16, decodeQr } from '@opentill/payments';

const SECONDS = Number(process.argv[2] ?? 1);
const file = JSON.parse(
  readFileSync(new URL('../../shared/vectors/emv-qr.json', import.meta.url), 'utf8'),
) as {
  vectors: { id: string; payload?: string }[];
};
const payloads: [string, string][] = file.vectors.filter((v) => v.payload).map((v) => [v.id, v.payload!]);
payloads.push([
  'built: dynamic Pix with reference',
  buildMerchantQr({
    accounts: [{ id: '26', gui: 'br.gov.bcb.pix', fields: { '01': 'caixa@opentill.example' } }],
    merchantCategoryCode: '5812',
    currency: 'BRL',
    amount: 12_345,
    countryCode: 'BR',
    merchantName: 'OpenTill Cafe',
    merchantCity: 'SAO PAULO',
    reference: 'ord0193a2b4c5d6',
  }),
]);

/**
 * Calls per wall-clock second and per CPU second of this process. On a shared machine the second
 * is the fairer figure: time spent descheduled does not count.
 */
function rate(fn: () => unknown): { perSecond: number; perCpuSecond: number; micros: number } {
  for (let i = 0; i < 5_000; i++) fn(); // warm up the JIT
  let n = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const until = start + SECONDS * 1000;
  let now = start;
  while (now < until) {
    for (let i = 0; i < 1_000; i++) fn();
    n += 1_000;
    now = performance.now();
  }
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return {
    perSecond: Math.round(n / ((now - start) / 1000)),
    perCpuSecond: Math.round(n / cpuSeconds),
    micros: (cpuSeconds * 1e6) / n,
  };
}

const fmt = (n: number) => n.toLocaleString('en');
console.log(
  `\nEMV QR decode + validate, ${SECONDS} s per payload, load average ${loadavg()[0]!.toFixed(2)}\n`,
);
console.log(
  '| payload | chars | decodes/s (wall) | decodes per CPU-s | CPU µs/decode | CRC only per CPU-s |',
);
console.log('|---|---:|---:|---:|---:|---:|');
const wall: number[] = [];
const cpu: number[] = [];
for (const [id, payload] of payloads) {
  const decode = rate(() => decodeQr(payload));
  const crc = rate(() => crc16(payload));
  wall.push(decode.perSecond);
  cpu.push(decode.perCpuSecond);
  console.log(
    `| ${id} | ${[...payload].length} | ${fmt(decode.perSecond)} | ${fmt(decode.perCpuSecond)} | ${decode.micros.toFixed(2)} | ${fmt(crc.perCpuSecond)} |`,
  );
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `\nmedian ${fmt(median(wall))}/s wall, ${fmt(median(cpu))} per CPU-second; slowest ${fmt(Math.min(...cpu))} per CPU-second (target ≥ 100,000/s)`,
);
