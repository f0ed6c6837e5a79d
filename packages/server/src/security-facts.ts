import type { Deps } from './deps';
import type { SecurityFacts } from './modules/compliance/pci';
import type { AuthService } from './modules/auth/service';
import { listFactors } from './modules/auth/store';
import { verifyAudit } from './modules/audit/chain';
import type { Keyring } from './modules/keys/keyring';

/**
 * What the PCI DSS self-check reads from the security modules: second factors (auth), password
 * and session policy (auth options), key ages (keyring) and the audit chain. Register software
 * versions are not reported yet, so that item asks for manual evidence.
 */
export function securityFacts(deps: Deps, auth: AuthService): SecurityFacts {
  const keyring = 'listKeys' in deps.cipher ? (deps.cipher as Keyring) : null;
  return {
    async mfaEnrolled(tenantId, staffId) {
      const factors = await listFactors(deps.database.db, tenantId, staffId);
      return factors.some((f) => f.confirmed_at !== null);
    },
    async passwordPolicy() {
      return {
        minLength: auth.options.minPasswordLength,
        requiresLettersAndDigits: true,
        historyCount: 0,
        lockoutAttempts: auth.options.lockoutThreshold,
        lockoutMinutes: auth.options.lockoutMinutes,
      };
    },
    async idleTimeoutMinutes() {
      return auth.options.idleSeconds / 60;
    },
    ...(keyring
      ? {
          async keyAges(tenantId: string) {
            const keys = await keyring.listKeys(tenantId);
            return keys
              .filter((k) => k.status === 'active' && k.createdAt !== null)
              .map((k) => ({ keyId: k.keyId, purpose: k.kind, createdAt: k.createdAt ?? '' }));
          },
        }
      : {}),
    async auditChainIntact(tenantId) {
      const r = await verifyAudit(deps.database, tenantId);
      return r.ok
        ? { intact: true, detail: `${r.entries} entries verified` }
        : {
            intact: false,
            detail: `broken at entry ${r.firstBroken?.seq ?? '?'}: ${r.firstBroken?.reason ?? ''}`,
          };
    },
  };
}
