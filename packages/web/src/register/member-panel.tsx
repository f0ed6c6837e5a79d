/**
 * The member bar above the cart: attach a customer (phone, member QR, card number), create one
 * with consent, and enter a coupon code. Lookups and coupon checks need the network; an attached
 * member and an applied coupon travel with the cart (and a parked ticket).
 *
 * data-testid: member-bar, member-open, member-name, member-points, member-detach, member-dialog,
 * member-query, member-find, member-result, member-attach, member-new-name, member-new-phone,
 * member-new-consent, member-create, coupon-open, coupon-dialog, coupon-code, coupon-apply,
 * coupon-chip, coupon-remove
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { Cart, MemberInfo } from '../offline/contract';
import { useRegister } from './register-context';
import { ErrorText, Modal } from './widgets';

interface LookupAnswer {
  id: string;
  name: string | null;
  phoneMasked: string | null;
  loyalty: {
    available: number;
    tier: { id: string; name: string; nameZh: string | null } | null;
    value: { currency: string; amount: number }[];
  };
}

interface ProgramAnswer {
  programs: {
    currency: string;
    pointsPerUnit: number;
    minorPerUnit: number;
    offlineAllowancePoints?: number;
  }[];
}

/** Looks a member up and turns the answer into what the cart keeps. */
async function fetchMember(q: string, currency: string, zh: boolean) {
  const found = await api<LookupAnswer>('GET', `/customers/lookup?q=${encodeURIComponent(q)}`);
  if (!found.ok) return found;
  const program = await api<ProgramAnswer>('GET', '/loyalty/program');
  const p = program.ok ? program.value.programs.find((x) => x.currency === currency) : undefined;
  const l = found.value.loyalty;
  const member: MemberInfo = {
    id: found.value.id,
    name: found.value.name,
    phoneMasked: found.value.phoneMasked,
    points: p ? l.available : 0,
    pointsValue: l.value.find((v) => v.currency === currency)?.amount ?? 0,
    pointsPerUnit: p?.pointsPerUnit ?? 1,
    minorPerUnit: p?.minorPerUnit ?? 1,
    offlineAllowance: p?.offlineAllowancePoints ?? 0,
    tier: l.tier ? (zh ? (l.tier.nameZh ?? l.tier.name) : l.tier.name) : null,
    // member-tier promotions price on the register with the same tier the server uses
    tierId: l.tier?.id ?? null,
  };
  return { ok: true as const, value: member };
}

export function MemberBar({
  cart,
  setCart,
}: {
  cart: Cart;
  setCart: (update: (cart: Cart) => Cart) => void;
}) {
  const { t } = useTranslation();
  const { money } = useRegister();
  const [dialog, setDialog] = useState<'member' | 'coupon' | null>(null);
  const m = cart.member;
  return (
    <div className="reg-member-bar" data-testid="member-bar">
      {m ? (
        <span className="reg-member">
          <strong data-testid="member-name">
            {m.name ?? m.phoneMasked ?? t('register.member.anonymous')}
          </strong>
          {m.tier ? <small className="reg-muted"> · {m.tier}</small> : null}
          <small data-testid="member-points" data-points={m.points}>
            {' '}
            · {t('register.member.points', { points: m.points, value: money(m.pointsValue) })}
          </small>
          <button
            type="button"
            className="reg-danger-ghost"
            data-testid="member-detach"
            onClick={() => setCart((c) => ({ ...c, customerId: null, member: null }))}
          >
            ✕
          </button>
        </span>
      ) : (
        <button type="button" data-testid="member-open" onClick={() => setDialog('member')}>
          {t('register.member.attach')}
        </button>
      )}
      {cart.coupon ? (
        <span className="reg-coupon-chip" data-testid="coupon-chip">
          {t('register.member.coupon')}: {cart.coupon.code}
          <button
            type="button"
            className="reg-danger-ghost"
            data-testid="coupon-remove"
            onClick={() => setCart((c) => ({ ...c, coupon: null }))}
          >
            ✕
          </button>
        </span>
      ) : (
        <button type="button" data-testid="coupon-open" onClick={() => setDialog('coupon')}>
          {t('register.member.coupon')}
        </button>
      )}
      {dialog === 'member' ? (
        <MemberDialog
          onClose={() => setDialog(null)}
          onAttach={(member) => {
            setCart((c) => ({ ...c, customerId: member.id, member }));
            setDialog(null);
          }}
        />
      ) : null}
      {dialog === 'coupon' ? (
        <CouponDialog
          customerId={cart.customerId ?? null}
          onClose={() => setDialog(null)}
          onApply={(coupon) => {
            setCart((c) => ({ ...c, coupon }));
            setDialog(null);
          }}
        />
      ) : null}
    </div>
  );
}

function MemberDialog({ onClose, onAttach }: { onClose: () => void; onAttach: (m: MemberInfo) => void }) {
  const { t, i18n } = useTranslation();
  const { session, money } = useRegister();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<MemberInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [consent, setConsent] = useState(false);
  const zh = i18n.language.startsWith('zh');

  const find = async (query: string) => {
    setError(null);
    setFound(null);
    const r = await fetchMember(query, session.store.currency, zh);
    if (!r.ok) return setError(r.error.status === 404 ? t('register.member.notFound') : r.error.message);
    setFound(r.value);
  };
  const create = async () => {
    setError(null);
    const r = await api<{ id: string }>('POST', '/customers', {
      name: name.trim() || null,
      phone: phone.trim() || null,
      consents: { processing: true, marketing: consent },
      consentSource: 'register',
    });
    if (!r.ok) return setError(r.error.message);
    await find(phone.trim());
  };

  return (
    <Modal title={t('register.member.title')} onClose={onClose} testId="member-dialog">
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          void find(q.trim());
        }}
      >
        <label>
          {t('register.member.query')}
          <input data-testid="member-query" autoFocus value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <button type="submit" className="reg-primary" data-testid="member-find" disabled={!q.trim()}>
          {t('register.member.find')}
        </button>
      </form>
      <ErrorText message={error} />
      {found ? (
        <div className="reg-member-found" data-testid="member-result">
          <p>
            <strong>{found.name ?? '—'}</strong> {found.phoneMasked ?? ''}
            {found.tier ? ` · ${found.tier}` : ''}
          </p>
          <p>{t('register.member.points', { points: found.points, value: money(found.pointsValue) })}</p>
          <button
            type="button"
            className="reg-primary"
            data-testid="member-attach"
            onClick={() => onAttach(found)}
          >
            {t('register.member.attachThis')}
          </button>
        </div>
      ) : null}
      <details className="reg-member-new">
        <summary>{t('register.member.new')}</summary>
        <form
          className="reg-form"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <label>
            {t('register.member.name')}
            <input data-testid="member-new-name" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            {t('register.member.phone')}
            <input
              data-testid="member-new-phone"
              inputMode="tel"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
            />
          </label>
          <label className="reg-check">
            <input
              type="checkbox"
              data-testid="member-new-consent"
              checked={consent}
              onChange={(e) => setConsent(e.target.checked)}
            />
            {t('register.member.consentMarketing')}
          </label>
          <small className="reg-muted">{t('register.member.consentNote')}</small>
          <button type="submit" data-testid="member-create" disabled={!phone.trim()}>
            {t('register.member.create')}
          </button>
        </form>
      </details>
    </Modal>
  );
}

interface CouponAnswer {
  code: string;
  name: string;
  kind: 'amount' | 'percent' | 'promotion';
  value: number;
}

function CouponDialog({
  customerId,
  onClose,
  onApply,
}: {
  customerId: string | null;
  onClose: () => void;
  onApply: (c: NonNullable<Cart['coupon']>) => void;
}) {
  const { t } = useTranslation();
  const { session } = useRegister();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const apply = async () => {
    setError(null);
    const params = new URLSearchParams({ code: code.trim(), currency: session.store.currency });
    if (customerId) params.set('customerId', customerId);
    const r = await api<CouponAnswer>('GET', `/coupons/check?${params.toString()}`);
    if (!r.ok) return setError(r.error.message);
    const c = r.value;
    // a promotion coupon only unlocks promotions (the till's engine prices them with the code)
    onApply(
      c.kind === 'promotion'
        ? { code: c.code, name: c.name }
        : {
            code: c.code,
            name: c.name,
            discount: {
              discount:
                c.kind === 'amount'
                  ? { kind: 'amount', amount: c.value }
                  : { kind: 'percent', percentBp: c.value },
              reason: `coupon ${c.code}`,
              by: session.staff.id,
            },
          },
    );
  };
  return (
    <Modal title={t('register.member.couponTitle')} onClose={onClose} testId="coupon-dialog">
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          void apply();
        }}
      >
        <label>
          {t('register.member.couponCode')}
          <input data-testid="coupon-code" autoFocus value={code} onChange={(e) => setCode(e.target.value)} />
        </label>
        <button type="submit" className="reg-primary" data-testid="coupon-apply" disabled={!code.trim()}>
          {t('register.member.couponApply')}
        </button>
      </form>
      <ErrorText message={error} />
    </Modal>
  );
}
