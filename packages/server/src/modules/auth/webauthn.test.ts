import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyAuthentication, verifyRegistration } from './webauthn';

interface Fixture {
  id: string;
  response: Record<string, unknown> & { id: string };
  expected_origin: string;
  expected_rp_id: string;
  expected_challenge?: string;
  credential?: { id: string; publicKey_b64url: string; counter: number };
  expected_new_counter?: number;
  expected?: { credential_id: string; publicKey_b64url: string; counter: number };
}
const vectors = JSON.parse(
  readFileSync(new URL('../../../../../../shared/vectors/webauthn.json', import.meta.url), 'utf8'),
) as { published_fixtures: Fixture[] };
const fixture = (id: string) => vectors.published_fixtures.find((f) => f.id === id)!;

describe('passkey verification against the published fixtures', () => {
  it('verifies the recorded localhost assertion (UV set) and reports the new counter', async () => {
    const f = fixture('SWA-AUTH-LOCALHOST');
    // the fixture's challenge is base64url(JSON) carrying the actual challenge
    const clientData = JSON.parse(
      Buffer.from(
        String((f.response.response as { clientDataJSON: string }).clientDataJSON),
        'base64url',
      ).toString(),
    ) as { challenge: string };
    const inner = JSON.parse(Buffer.from(clientData.challenge, 'base64url').toString()) as {
      actualChallenge: string;
    };
    expect(inner.actualChallenge).toBe('K3QxOjnVJLiGlnVEp5va5QJeMVWNf_7PYgutgbAtAUA');
    const rp = { rpId: f.expected_rp_id, rpName: 'test', origins: [f.expected_origin] };
    const passkey = {
      credentialId: f.credential!.id,
      publicKey: f.credential!.publicKey_b64url,
      counter: f.credential!.counter,
      transports: [],
    };
    const ok = await verifyAuthentication(rp, f.response as never, clientData.challenge, passkey);
    expect(ok).toEqual({ ok: true, newCounter: f.expected_new_counter });
    // the negative cases the reference lists
    const wrongChallenge = await verifyAuthentication(rp, f.response as never, 'bm9wZQ', passkey);
    expect(wrongChallenge).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/authentication response challenge/),
    });
    const wrongOrigin = await verifyAuthentication(
      { ...rp, origins: ['https://evil.example'] },
      f.response as never,
      clientData.challenge,
      passkey,
    );
    expect(wrongOrigin).toMatchObject({ ok: false, reason: expect.stringMatching(/origin/) });
    const wrongRp = await verifyAuthentication(
      { ...rp, rpId: 'example.com' },
      f.response as never,
      clientData.challenge,
      passkey,
    );
    expect(wrongRp).toMatchObject({ ok: false, reason: expect.stringMatching(/RP ID/) });
    const replayed = await verifyAuthentication(rp, f.response as never, clientData.challenge, {
      ...passkey,
      counter: f.expected_new_counter!,
    });
    expect(replayed).toMatchObject({ ok: false, reason: expect.stringMatching(/counter value/) });
  });

  it('verifies the recorded "none" attestation with an RSA key', async () => {
    const f = fixture('SWA-REG-NONE-RSA');
    const rp = { rpId: f.expected_rp_id, rpName: 'test', origins: [f.expected_origin] };
    const r = await verifyRegistration(rp, f.response as never, f.expected_challenge!);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.passkey.credentialId).toBe(f.expected!.credential_id);
    expect(r.passkey.publicKey).toBe(f.expected!.publicKey_b64url);
    expect(r.passkey.counter).toBe(f.expected!.counter);
  });
});
