import { api, type ApiResult } from '../api/client';

/** A display paired with a register on another device: what the claim returned, kept on this device. */
export interface SavedPairing {
  token: string;
  registerId: string;
  registerName: string;
  storeName: string;
  storeNameZh: string | null;
  expiresAt: string;
  /** a display paired in Back office → Devices: its device credential (`token` is then a device token it renews) */
  credential?: string;
}

/** A device pairing code from Back office → Devices: 8 characters, shown as XXXX-XXXX. */
export const DEVICE_CODE = /^[A-HJKMNP-Za-hjkmnp-z2-9]{4}-?[A-HJKMNP-Za-hjkmnp-z2-9]{4}$/;

const KEY = 'opentill.display.pairing';

export function loadPairing(): SavedPairing | null {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as SavedPairing | null;
    if (!saved?.token) return null;
    // a device credential outlives its token: the token is renewed when the display opens
    if (!saved.credential && Date.parse(saved.expiresAt) <= Date.now()) return null;
    return saved;
  } catch {
    return null;
  }
}

export function savePairing(pairing: SavedPairing | null): void {
  if (pairing) localStorage.setItem(KEY, JSON.stringify(pairing));
  else localStorage.removeItem(KEY);
}

/**
 * The display (no sign-in) trades a code for its pairing: the register's 6-digit code for a
 * display token, or a device pairing code from the back office for its device credential.
 */
export async function claimPairing(code: string): Promise<ApiResult<SavedPairing>> {
  if (!DEVICE_CODE.test(code))
    return api<SavedPairing>('POST', `/display/pairings/${encodeURIComponent(code)}/claim`);
  const paired = await api<{
    credential: string;
    device: { kind: string; registerId: string | null };
    storeName?: string;
    registerName?: string | null;
  }>('POST', '/devices/pair', { code });
  if (!paired.ok) return paired;
  const { credential, device } = paired.value;
  if (device.kind !== 'customer_display' || !device.registerId)
    return {
      ok: false,
      error: {
        status: 422,
        code: 'device_kind_mismatch',
        message: 'This code pairs another kind of device.',
      },
    };
  return renewPairing({
    token: '',
    credential,
    registerId: device.registerId,
    registerName: paired.value.registerName ?? '',
    storeName: paired.value.storeName ?? '',
    storeNameZh: null,
    expiresAt: new Date(0).toISOString(),
  });
}

/** A fresh device token for a display paired by device credential (401: the device was revoked). */
export async function renewPairing(saved: SavedPairing): Promise<ApiResult<SavedPairing>> {
  const r = await api<{ token: string; expiresInSeconds: number }>('POST', '/devices/token', undefined, {
    authorization: `Bearer ${saved.credential ?? ''}`,
  });
  if (!r.ok) return r;
  return {
    ok: true,
    value: {
      ...saved,
      token: r.value.token,
      expiresAt: new Date(Date.now() + r.value.expiresInSeconds * 1000).toISOString(),
    },
  };
}

/** What a display paired by device credential posts itself: the shopper's tip, their feedback. */
export function postAsDisplay(
  pairing: SavedPairing,
  path: '/display/tip' | '/display/feedback',
  body: object,
) {
  return api<unknown>('POST', path, body, { authorization: `Bearer ${pairing.token}` });
}

/** False when the server says the token is no longer valid (unpaired, expired, server restarted). */
export async function pairingStillValid(token: string): Promise<boolean> {
  const res = await api('GET', `/display/session?token=${encodeURIComponent(token)}`);
  return res.ok || res.error.status !== 401;
}

/** The register (signed in) asks for a 6-digit code, valid 10 minutes. */
export function createPairing(registerId: string) {
  return api<{ code: string; registerId: string; expiresAt: string }>('POST', '/display/pairings', {
    registerId,
  });
}

/** The register unpairs every display paired with it on other devices. */
export function unpairAll(registerId: string) {
  return api<{ revoked: number }>('DELETE', `/display/${encodeURIComponent(registerId)}/pairings`);
}

/** The address a display opens from the register's QR code. */
export function pairingUrl(code: string): string {
  return `${window.location.origin}/display?code=${code}`;
}
