import { createContext, useContext } from 'react';
import type { Me, Register, Staff, Store } from './admin-api';

/** What every section needs: who is signed in, the stores and registers, and names for ids. */
export interface AdminSession {
  me: Me;
  /** owner and manager write; an auditor only reads */
  canWrite: boolean;
  stores: Store[];
  registers: Register[];
  staff: Staff[];
  reload: () => void;
}

export const AdminContext = createContext<AdminSession | null>(null);

export function useAdmin(): AdminSession {
  const s = useContext(AdminContext);
  if (!s) throw new Error('useAdmin outside the signed-in back office');
  return s;
}
