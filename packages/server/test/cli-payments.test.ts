/**
 * Runs the integrator commands through the real entry point (bin/opentill.js → src/cli.ts) as a
 * child process, as `npx opentill …` would.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TcpAcquirerConnector, TerminalSimulator, SANDBOX_KEYS } from '@opentill/payments/node';

const bin = fileURLToPath(new URL('../bin/opentill.js', import.meta.url));
const vectors = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../../shared/vectors/${name}`, import.meta.url), 'utf8')) as {
    vectors: { id: string; payload?: string; expected_raw_hex?: string; input?: { t: string } }[];
  };

function run(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, OPENTILL_DEMO: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const qr = vectors('emv-qr.json').vectors;
const payload = (id: string) => qr.find((v) => v.id === id)!.payload!;

describe('npx opentill qr / iso8583', () => {
  it('qr decode: a valid payload exits 0 with nested templates as objects', async () => {
    const { code, stdout } = await run(['qr', 'decode', payload('EMVCO-SPEC-A13A')]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      valid: boolean;
      crcValid: boolean;
      errors: unknown[];
      objects: Record<string, unknown>;
    };
    expect(out).toMatchObject({ valid: true, crcValid: true, errors: [] });
    expect(out.objects['64']).toEqual({ '00': 'ZH', '01': '最佳运输', '02': '北京' });
    // printed in payload order (a parsed object would list "10"–"99" first)
    expect(stdout.indexOf('"00": "01"')).toBeLessThan(stdout.indexOf('"29": {'));
    expect(stdout.indexOf('"64": {')).toBeLessThan(stdout.indexOf('"54": "23.72"'));
  });

  it('qr decode: a bad CRC exits 1 and says so', async () => {
    const { code, stdout } = await run(['qr', 'decode', payload('NEG-BAD-CRC')]);
    expect(code).toBe(1);
    const out = JSON.parse(stdout) as { valid: boolean; crcValid: boolean; errors: { code: string }[] };
    expect(out).toMatchObject({ valid: false, crcValid: false });
    expect(out.errors.map((e) => e.code)).toEqual(['crc_mismatch']);
  });

  it('qr encode reads fields on stdin and prints a payload', async () => {
    const fields = {
      '26': { '00': 'br.gov.bcb.pix', '01': 'shop@example.com' },
      '52': '5812',
      '53': '986',
      '58': 'BR',
      '59': 'Cafe',
      '60': 'SAO PAULO',
      '54': '9.90',
    };
    const { code, stdout } = await run(['qr', 'encode'], JSON.stringify(fields));
    expect(code).toBe(0);
    const again = await run(['qr', 'decode', stdout.trim()]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).objects).toMatchObject(fields);
  });

  it('iso8583 decode prints the fields with card data masked; bad input exits 1', async () => {
    const moov = vectors('iso8583.json').vectors.find((v) => v.id === 'MOOV-BINARY-0100')!;
    const { code, stdout } = await run(['iso8583', 'decode', '--profile', 'binary', moov.expected_raw_hex!]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { mti: string; fields: Record<string, { value: string }> };
    expect(out.mti).toBe('0100');
    expect(out.fields['2']!.value).toBe('427655******5555');
    expect(out.fields['43']!.value).toBe('Test text');
    expect(out.fields['120']!.value).toBe('Another test text');
    expect(stdout).not.toContain('4276555555555555');
    const bad = await run(['iso8583', 'decode', '--profile', 'binary', moov.expected_raw_hex!.slice(0, 60)]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, error: { code: 'iso8583_invalid' } });
  });
});

describe('npx opentill acquirer-sandbox', () => {
  it('serves card sales over TCP until stopped', async () => {
    const child = spawn(process.execPath, [bin, 'acquirer-sandbox', '--port', '0'], { env: process.env });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on [\d.]+:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.on('close', () => reject(new Error(`sandbox exited: ${out}`)));
      });
      const terminal = TerminalSimulator.aes(SANDBOX_KEYS.aesBdk, '1234567890123456');
      const connector = new TcpAcquirerConnector({
        port,
        terminalId: 'CLI00001',
        merchantId: 'MERCHANT0000001',
      });
      try {
        const approved = await connector.sale({
          amount: 1990,
          currency: 'USD',
          ...terminal.read({ pan: '6200000000000005', expiry: '3012' }, 'chip', '1234'),
        });
        expect(approved).toMatchObject({ status: 'approved', responseCode: '00', approvedAmount: 1990 });
        const declined = await connector.sale({
          amount: 1951,
          currency: 'USD',
          ...terminal.read({ pan: '4242424242424242', expiry: '3012' }, 'chip'),
        });
        expect(declined).toMatchObject({ status: 'declined', responseCode: '51' });
      } finally {
        await connector.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});
