import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * Passkeys (WebAuthn) through @simplewebauthn/server. User verification is always required: the
 * fingerprint or face check happens on the device and reaches us only as the UV flag; no
 * biometric data ever leaves the device.
 */
export interface RelyingParty {
  rpId: string;
  rpName: string;
  /** origins the browser may sign for, e.g. https://pos.example.com */
  origins: string[];
}

export interface StoredPasskey {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

export function registrationOptions(
  rp: RelyingParty,
  user: { id: string; username: string; displayName: string },
  exclude: StoredPasskey[],
) {
  return generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userName: user.username,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: exclude.map((c) => ({
      id: c.credentialId,
      transports: c.transports as AuthenticatorTransport[],
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
  });
}

export async function verifyRegistration(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
): Promise<
  | { ok: true; passkey: StoredPasskey & { backedUp: boolean; deviceType: string } }
  | { ok: false; reason: string }
> {
  try {
    const v = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      requireUserVerification: true,
    });
    if (!v.verified) return { ok: false, reason: 'The passkey could not be verified.' };
    const c = v.registrationInfo.credential;
    return {
      ok: true,
      passkey: {
        credentialId: c.id,
        publicKey: Buffer.from(c.publicKey).toString('base64url'),
        counter: c.counter,
        transports: c.transports ?? response.response.transports ?? [],
        backedUp: v.registrationInfo.credentialBackedUp,
        deviceType: v.registrationInfo.credentialDeviceType,
      },
    };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

export function authenticationOptions(rp: RelyingParty, allow: StoredPasskey[], challenge?: string) {
  return generateAuthenticationOptions({
    rpID: rp.rpId,
    userVerification: 'required',
    ...(challenge ? { challenge } : {}),
    allowCredentials: allow.map((c) => ({
      id: c.credentialId,
      transports: c.transports as AuthenticatorTransport[],
    })),
  });
}

export async function verifyAuthentication(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  passkey: StoredPasskey,
): Promise<{ ok: true; newCounter: number } | { ok: false; reason: string }> {
  try {
    const v = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: passkey.counter,
        transports: passkey.transports as AuthenticatorTransport[],
      },
      requireUserVerification: true,
    });
    if (!v.verified) return { ok: false, reason: 'The passkey could not be verified.' };
    return { ok: true, newCounter: v.authenticationInfo.newCounter };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

export type { AuthenticationResponseJSON, RegistrationResponseJSON };
