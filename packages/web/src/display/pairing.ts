import { api, type ApiResult } from '../api/client';

/** A display paired with a register on another device: what the claim returned, kept on this device. */
export interface SavedPairing {
  token: string;
  registerId: string;
  registerName: string;
  storeName: string;
  storeNameZh: string | null;
  expiresAt: string;
}

const KEY = 'opentill.display.pairing';

export function loadPairing(): SavedPairing | null {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as SavedPairing | null;
    if (!saved?.token || Date.parse(saved.expiresAt) <= Date.now()) return null;
    return saved;
  } catch {
    return null;
  }
}

export function savePairing(pairing: SavedPairing | null): void {
  if (pairing) localStorage.setItem(KEY, JSON.stringify(pairing));
  else localStorage.removeItem(KEY);
}

/** The display (no sign-in) trades the code the register shows for a display token. */
export function claimPairing(code: string): Promise<ApiResult<SavedPairing>> {
  return api<SavedPairing>('POST', `/display/pairings/${encodeURIComponent(code)}/claim`);
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
