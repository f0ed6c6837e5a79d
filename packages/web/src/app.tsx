import { lazy, Suspense } from 'react';

const Register = lazy(() => import('./register/register-app'));
const Display = lazy(() => import('./display/display-app'));
const Admin = lazy(() => import('./admin/admin-app'));
const EReceipt = lazy(() => import('./receipt/receipt-page'));

/** Three surfaces, one bundle: the register at /, the customer display at /display, the back office at /admin. */
export function App() {
  const path = window.location.pathname;
  const Surface = path.startsWith('/display')
    ? Display
    : path.startsWith('/admin')
      ? Admin
      : path.startsWith('/receipt/')
        ? EReceipt
        : Register;
  return (
    <Suspense fallback={<div className="loading">…</div>}>
      <Surface />
    </Suspense>
  );
}
