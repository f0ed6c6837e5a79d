import { describe, expect, it } from 'vitest';
import { runPaymentsCommand, type CliIo } from './cli';
import { encodeQr } from '../emv-qr';

async function run(command: string, args: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdin: async () => stdin };
  const code = await runPaymentsCommand(command, args, io);
  return { code, stdout, stderr };
}

describe('payments CLI commands (in process)', () => {
  it('qr decode lists one error per problem and exits 1', async () => {
    const payload = encodeQr({ '53': '156', '58': 'CN' });
    const { code, stdout } = await run('qr', ['decode', payload]);
    expect(code).toBe(1);
    const out = JSON.parse(stdout) as { valid: boolean; crcValid: boolean; errors: { id: string }[] };
    expect(out.crcValid).toBe(true);
    expect(out.errors.map((e) => e.id)).toEqual(['52', '59', '60', '02-51']);
  });

  it('qr decode reads stdin when no argument is given; usage errors exit 2', async () => {
    const payload = encodeQr({
      '26': { '00': 'x' },
      '52': '5812',
      '53': '156',
      '58': 'CN',
      '59': 'A',
      '60': 'B',
    });
    expect((await run('qr', ['decode'], `${payload}\n`)).code).toBe(0);
    expect((await run('qr', ['decode'], '')).code).toBe(2);
    expect((await run('qr', ['nope'])).code).toBe(2);
  });

  it('qr encode: bad JSON, bad shapes and invalid content exit 1', async () => {
    expect(await run('qr', ['encode'], '{')).toMatchObject({ code: 1 });
    expect(await run('qr', ['encode'], '[1]')).toMatchObject({ code: 1 });
    expect(await run('qr', ['encode'], '{"59": 5}')).toMatchObject({ code: 1 });
    const incomplete = await run('qr', ['encode'], '{"59":"Shop"}');
    expect(incomplete.code).toBe(1);
    expect(incomplete.stdout).toMatch(/^000201/);
    expect(incomplete.stderr).toContain('Merchant Category Code (52) is missing');
  });

  it('iso8583 encode then decode; --text for ASCII messages; unknown profile exits 2', async () => {
    const message = { mti: '0200', fields: { '2': '4242424242424242', '3': '000000', '4': '100' } };
    const encoded = await run('iso8583', ['encode', '--profile', 'ascii'], JSON.stringify(message));
    expect(encoded.code).toBe(0);
    const decoded = await run('iso8583', [
      'decode',
      '--profile',
      'ascii',
      '--show-card-data',
      encoded.stdout.trim(),
    ]);
    expect(JSON.parse(decoded.stdout)).toMatchObject({
      valid: true,
      mti: '0200',
      fields: { '2': { value: '4242424242424242' }, '4': { value: '000000000100' } },
    });
    const text = await run('iso8583', [
      'decode',
      '--profile',
      'ascii',
      '--text',
      '02004000000000000000101234567890',
    ]);
    expect(JSON.parse(text.stdout)).toMatchObject({
      fields: { '2': { name: 'Primary Account Number (PAN)' } },
    });
    expect((await run('iso8583', ['decode', '--profile', 'nope', '00'])).code).toBe(2);
    expect((await run('iso8583', ['decode', '--profile', 'ascii', 'xyz'])).code).toBe(1);
    expect((await run('iso8583', ['profiles'])).stdout).toContain('opentill-link');
  });

  it('is not a payments command', async () => {
    expect(await run('serve', [])).toMatchObject({ code: undefined });
  });
});
