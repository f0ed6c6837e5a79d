import type { PrivacySubjects } from '../compliance/privacy';
import type { AuthContext } from '../auth/service';
import type { LoyaltyService } from '../loyalty/service';
import type { CustomersService } from './service';

/**
 * The customers module's side of a tracked privacy request (compliance/privacy.ts): the same
 * export, correction, consent withdrawal and erasure the back office offers, run for the
 * compliance officer's request. The request itself is audited by the privacy service; these
 * actions are audited again here under a system actor named after the request.
 */
export function customersPrivacySubjects(
  customers: CustomersService,
  loyalty: LoyaltyService,
): PrivacySubjects {
  const actor = (tenantId: string): AuthContext => ({
    tenantId,
    staffId: 'system',
    username: 'system',
    displayName: 'Privacy request',
    role: 'owner',
    registerId: null,
    sessionId: 'system',
  });
  return {
    async export(tenantId, id) {
      const c = await customers.get(tenantId, id);
      if (!c.ok) return null;
      await customers.auditExport(actor(tenantId), id);
      return {
        customer: c.value,
        loyalty: { account: await loyalty.account(tenantId, id), ledger: await loyalty.ledger(tenantId, id) },
        orders: await customers.history(tenantId, id, 10_000),
      };
    },
    async erase(tenantId, id) {
      const r = await customers.erase(actor(tenantId), id);
      if (!r.ok) return null;
      // orders keep the anonymous customer id: tax and AML law keep the sales facts
      return { erased: ['name', 'phone', 'email', 'birthday', 'card_no', 'note'], pseudonymised: ['orders'] };
    },
    async correct(tenantId, id, changes) {
      const allowed = ['name', 'phone', 'email', 'birthday'] as const;
      const input = Object.fromEntries(
        allowed.filter((k) => changes[k] !== undefined).map((k) => [k, changes[k]]),
      );
      const r = await customers.update(actor(tenantId), id, input);
      return r.ok ? { changed: Object.keys(input) } : null;
    },
    async withdrawConsent(tenantId, id, purposes) {
      const kinds = purposes.filter(
        (p): p is 'marketing' | 'processing' => p === 'marketing' || p === 'processing',
      );
      const withdrawn = kinds.length > 0 ? kinds : (['marketing'] as const);
      const r = await customers.update(actor(tenantId), id, {
        consents: Object.fromEntries(withdrawn.map((k) => [k, false])),
        consentSource: 'privacy_request',
      });
      return r.ok ? { withdrawn: [...withdrawn] } : null;
    },
  };
}
