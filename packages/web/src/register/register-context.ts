import { createContext, useContext, useEffect, useState } from 'react';
import type { RegisterInfo, StaffInfo, StoreInfo, SyncState, Till } from '../offline/contract';

export interface Session {
  staff: StaffInfo;
  store: StoreInfo;
  register: RegisterInfo;
}

export interface RegisterContextValue {
  till: Till;
  session: Session;
  /** formats minor units in the store's currency and locale */
  money: (minor: number) => string;
  /** after a PIN switch or logout */
  refreshSession: () => void;
  /** shows a short message in the toast area */
  notify: (message: string, kind?: 'info' | 'error') => void;
}

export const RegisterContext = createContext<RegisterContextValue | null>(null);

export function useRegister(): RegisterContextValue {
  const value = useContext(RegisterContext);
  if (!value) throw new Error('useRegister outside the register');
  return value;
}

/** Roles that may give discounts (the server checks `discounts.apply` too). */
export function canDiscount(staff: StaffInfo): boolean {
  return staff.role === 'owner' || staff.role === 'manager' || staff.role === 'cashier';
}

export function canRefund(staff: StaffInfo): boolean {
  return staff.role !== 'auditor';
}

export function useSyncState(till: Till): SyncState {
  const [state, setState] = useState<SyncState>(() => till.sync());
  useEffect(() => till.subscribe(setState), [till]);
  return state;
}
