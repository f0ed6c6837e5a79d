import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { Role, Staff } from './admin-api';
import { useAdmin } from './admin-context';
import { ErrorBox, Field, Loading, Notice, useLoad, useSubmit, SaveCancel } from './ui';

const roles: Role[] = ['owner', 'manager', 'cashier', 'auditor'];

interface Draft {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  pin: string;
}

const empty: Draft = { username: '', displayName: '', role: 'cashier', password: '', pin: '' };

export function StaffSection() {
  const { t } = useTranslation();
  const { me, reload } = useAdmin();
  const list = useLoad(() => api<{ items: Staff[] }>('GET', '/staff'), []);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = useSubmit();

  function validate(d: Draft): string | null {
    if (!/^[a-zA-Z0-9_.-]{2,64}$/.test(d.username)) return t('admin.staff.errUsername');
    if (!d.displayName.trim()) return t('admin.staff.errDisplayName');
    if (d.password.length < 8) return t('admin.staff.errPassword');
    if (d.pin && !/^\d{4,8}$/.test(d.pin)) return t('admin.staff.errPin');
    return null;
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    setDone(null);
    const bad = validate(draft);
    if (bad) return submit.setError(bad);
    const r = await submit.run(() =>
      api<Staff>('POST', '/staff', {
        username: draft.username,
        displayName: draft.displayName.trim(),
        role: draft.role,
        password: draft.password,
        ...(draft.pin ? { pin: draft.pin } : {}),
      }),
    );
    if (r) {
      setDraft(null);
      setDone(t('admin.staff.created', { name: r.displayName }));
      list.reload();
      reload();
    }
  }

  return (
    <section data-testid="admin-staff">
      <div className="admin-head">
        <h2>{t('admin.staff.title')}</h2>
        <button
          type="button"
          className="admin-primary"
          onClick={() => setDraft(empty)}
          data-testid="admin-staff-new"
        >
          {t('admin.staff.new')}
        </button>
      </div>
      {draft ? (
        <form
          className="admin-form admin-panel"
          onSubmit={(e) => void save(e)}
          data-testid="admin-staff-form"
        >
          <div className="admin-grid">
            <Field label={t('admin.staff.username')} hint={t('admin.staff.usernameHint')}>
              <input
                autoComplete="off"
                value={draft.username}
                onChange={(e) => setDraft({ ...draft, username: e.target.value })}
                data-testid="admin-staff-username"
              />
            </Field>
            <Field label={t('admin.staff.displayName')}>
              <input
                value={draft.displayName}
                onChange={(e) => setDraft({ ...draft, displayName: e.target.value })}
                data-testid="admin-staff-display-name"
              />
            </Field>
            <Field label={t('admin.staff.role')}>
              <select
                value={draft.role}
                onChange={(e) => setDraft({ ...draft, role: e.target.value as Role })}
                data-testid="admin-staff-role"
              >
                {roles
                  .filter((r) => r !== 'owner' || me.role === 'owner')
                  .map((r) => (
                    <option key={r} value={r}>
                      {t(`admin.roles.${r}`)}
                    </option>
                  ))}
              </select>
            </Field>
            <Field label={t('admin.staff.password')} hint={t('admin.staff.passwordHint')}>
              <input
                type="password"
                autoComplete="new-password"
                value={draft.password}
                onChange={(e) => setDraft({ ...draft, password: e.target.value })}
                data-testid="admin-staff-password"
              />
            </Field>
            <Field label={t('admin.staff.pin')} hint={t('admin.staff.pinHint')}>
              <input
                inputMode="numeric"
                autoComplete="off"
                value={draft.pin}
                onChange={(e) => setDraft({ ...draft, pin: e.target.value })}
                data-testid="admin-staff-pin"
              />
            </Field>
          </div>
          <ErrorBox message={submit.error} />
          <SaveCancel busy={submit.busy} testId="admin-staff-save" onCancel={() => setDraft(null)} />
        </form>
      ) : null}
      <Notice message={done} />
      <ErrorBox message={list.error?.message} />
      <Loading show={list.loading && !list.data} />
      <div className="admin-table-wrap">
        <table className="admin-table">
          <thead>
            <tr>
              <th>{t('admin.staff.displayName')}</th>
              <th>{t('admin.staff.username')}</th>
              <th>{t('admin.staff.role')}</th>
              <th>{t('admin.staff.pin')}</th>
              <th>{t('admin.common.status')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((s) => (
              <tr key={s.id} data-testid="admin-staff-row">
                <td>{s.displayName}</td>
                <td className="admin-mono">{s.username}</td>
                <td>{t(`admin.roles.${s.role}`)}</td>
                <td>{s.hasPin ? t('admin.common.yes') : t('admin.common.no')}</td>
                <td>{s.active ? t('admin.common.active') : t('admin.common.inactive')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
