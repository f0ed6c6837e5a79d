/**
 * The integrator commands of `npx opentill`: `qr decode|encode`, `iso8583 decode|encode|profiles`
 * and `acquirer-sandbox`. Each takes its arguments and an I/O object and returns the exit code
 * (0 valid, 1 invalid input, 2 usage), so the server CLI only dispatches.
 */
import { parseArgs } from 'node:util';
import { fromHex, isHex, latin1Bytes, toHex } from '../bytes';
import { maskPan } from '../cards';
import { decodeQr, encodeQr, type QrInput, type QrNode } from '../emv-qr';
import { displayValue, Iso8583Error, pack, unpack } from '../iso8583/codec';
import { PROFILES, profileByName } from '../iso8583/profiles';
import { SANDBOX_AMOUNT_RULES, SANDBOX_CARDS } from '../acquirer/sandbox-rules';
import { startSandboxAcquirer } from './sandbox-host';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whole standard input as text. */
  stdin: () => Promise<string>;
}

export const PAYMENTS_USAGE = `  qr decode <payload>        decode and validate an EMV merchant-presented QR payload (JSON out)
  qr encode < fields.json    build a payload from {"26":{"00":"…"},"52":"5812",…} (CRC added)
  iso8583 decode --profile <name> [--text] [--show-card-data] <hex|text>
                             unpack an ISO 8583 message (JSON out); PANs and track data masked
  iso8583 encode --profile <name> < message.json   pack {"mti":"0200","fields":{"2":"…"}} to hex
  iso8583 profiles           list the ISO 8583 profiles
  acquirer-sandbox [--port N] [--host H]   run the sandbox acquirer host (ISO 8583 over TCP)
`;

/** JSON with template objects in payload order (plain objects would sort "10"–"99" first). */
function nodesJson(nodes: readonly QrNode[], indent: string): string {
  if (nodes.length === 0) return '{}';
  const inner = indent + '  ';
  const parts = nodes.map((node) => {
    const value = node.children ? nodesJson(node.children, inner) : JSON.stringify(node.value);
    return `${inner}${JSON.stringify(node.id)}: ${value}`;
  });
  return `{\n${parts.join(',\n')}\n${indent}}`;
}

async function qr(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'decode') {
    const payload = rest.length > 0 ? rest.join(' ') : (await io.stdin()).trim();
    if (!payload) {
      io.stderr('qr decode needs a payload argument (or one on standard input)\n');
      return 2;
    }
    const result = decodeQr(payload);
    const errors = JSON.stringify(result.errors, null, 2).replace(/\n/g, '\n  ');
    io.stdout(
      `{\n  "valid": ${result.valid},\n  "crcValid": ${result.crcValid},\n  "profile": ${JSON.stringify(result.profile)},\n  "errors": ${errors},\n  "objects": ${nodesJson(result.nodes, '  ')}\n}\n`,
    );
    return result.valid ? 0 : 1;
  }
  if (sub === 'encode') {
    let input: unknown;
    try {
      input = JSON.parse(await io.stdin());
    } catch (e) {
      io.stderr(`qr encode reads a JSON object on standard input: ${(e as Error).message}\n`);
      return 1;
    }
    // the output of `qr decode` is accepted as input too
    if (input && typeof input === 'object' && 'objects' in input)
      input = (input as { objects: unknown }).objects;
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      io.stderr('qr encode reads a JSON object of ID → value (templates as nested objects)\n');
      return 1;
    }
    for (const [id, value] of Object.entries(input)) {
      const ok =
        typeof value === 'string' ||
        (value && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'string'));
      if (!ok) {
        io.stderr(`ID ${id}: values are strings, templates objects of strings\n`);
        return 1;
      }
    }
    let payload: string;
    try {
      payload = encodeQr(input as QrInput);
    } catch (e) {
      io.stderr(`${(e as Error).message}\n`);
      return 1;
    }
    io.stdout(`${payload}\n`);
    const check = decodeQr(payload);
    for (const problem of check.errors) io.stderr(`invalid: ${problem.message}\n`);
    return check.valid ? 0 : 1;
  }
  io.stderr(PAYMENTS_USAGE);
  return 2;
}

/** Data elements holding card numbers or track data: masked unless asked. */
const CARD_DATA = new Set([2, 34, 35, 36, 45]);

function maskCardData(de: number, value: string): string {
  if (de === 2 || de === 34) return maskPan(value);
  const pan = /^\d{12,19}/.exec(value)?.[0];
  return pan ? `${maskPan(pan)}${'*'.repeat(value.length - pan.length)}` : '*'.repeat(value.length);
}

async function iso8583(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      profile: { type: 'string' },
      text: { type: 'boolean', default: false },
      'show-card-data': { type: 'boolean', default: false },
    },
  });
  const [sub, ...rest] = positionals;
  if (sub === 'profiles') {
    for (const profile of Object.values(PROFILES))
      io.stdout(`${profile.name.padEnd(14)} ${profile.description}\n`);
    return 0;
  }
  if (sub !== 'decode' && sub !== 'encode') {
    io.stderr(PAYMENTS_USAGE);
    return 2;
  }
  const profile = profileByName(values.profile ?? '');
  if (!profile) {
    io.stderr(`--profile must be one of: ${Object.keys(PROFILES).join(', ')}\n`);
    return 2;
  }
  if (sub === 'encode') {
    let message: { mti?: unknown; fields?: unknown };
    try {
      message = JSON.parse(await io.stdin()) as typeof message;
    } catch (e) {
      io.stderr(`iso8583 encode reads a JSON message on standard input: ${(e as Error).message}\n`);
      return 1;
    }
    if (typeof message.mti !== 'string' || !message.fields || typeof message.fields !== 'object') {
      io.stderr('iso8583 encode reads {"mti":"0200","fields":{"2":"…"}}\n');
      return 1;
    }
    try {
      const fields = Object.fromEntries(
        Object.entries(message.fields).map(([k, v]) => [Number(k), String(v)]),
      );
      io.stdout(`${toHex(pack(profile, { mti: message.mti, fields }))}\n`);
      return 0;
    } catch (e) {
      if (!(e instanceof Iso8583Error)) throw e;
      io.stderr(`${e.message}\n`);
      return 1;
    }
  }
  const input = rest.join('');
  if (!input) {
    io.stderr('iso8583 decode needs the message (hex, or text with --text)\n');
    return 2;
  }
  if (!values.text && !isHex(input)) {
    io.stderr('the message must be hex (an even number of 0-9A-F); use --text for an ASCII message\n');
    return 1;
  }
  const result = unpack(profile, values.text ? latin1Bytes(input) : fromHex(input));
  if (!result.ok) {
    io.stdout(`${JSON.stringify({ valid: false, profile: profile.name, error: result.error }, null, 2)}\n`);
    return 1;
  }
  const fields: Record<string, { name: string; value: string }> = {};
  for (const [key, raw] of Object.entries(result.value.fields)) {
    const de = Number(key);
    const spec = profile.fields[de]!;
    const value =
      CARD_DATA.has(de) && !values['show-card-data'] ? maskCardData(de, raw) : displayValue(spec, raw);
    fields[key] = { name: spec.desc, value };
  }
  const out: Record<string, unknown> = {
    valid: true,
    profile: profile.name,
    mti: result.value.mti,
    primaryBitmap: result.value.primaryBitmap,
  };
  if (result.value.secondaryBitmap) out.secondaryBitmap = result.value.secondaryBitmap;
  out.fields = fields;
  io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

async function acquirerSandbox(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' } } });
  const port = Number(values.port ?? 8583);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr('--port must be a port number\n');
    return 2;
  }
  const host = await startSandboxAcquirer({ port, host: values.host ?? '127.0.0.1' });
  io.stdout(
    `OpenTill sandbox acquirer listening on ${host.host}:${host.port} (ISO 8583, profile opentill-link)\n`,
  );
  io.stdout('Test cards:\n');
  for (const card of SANDBOX_CARDS) io.stdout(`  ${card.pan}  ${card.note}\n`);
  io.stdout('Amount endings (minor units):\n');
  for (const rule of SANDBOX_AMOUNT_RULES)
    io.stdout(`  .${String(rule.ending).padStart(2, '0')}  ${rule.note}\n`);
  const stop = () => void host.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1; // keep running
}

/** Runs a payments command; undefined when `command` is not one of them. */
export async function runPaymentsCommand(
  command: string,
  args: string[],
  io: CliIo,
): Promise<number | undefined> {
  switch (command) {
    case 'qr':
      return qr(args, io);
    case 'iso8583':
      return iso8583(args, io);
    case 'acquirer-sandbox':
      return acquirerSandbox(args, io);
    default:
      return undefined;
  }
}
