export type Role = 'owner' | 'manager' | 'cashier' | 'auditor';

export type Permission =
  | 'stores.read'
  | 'stores.write'
  | 'catalog.read'
  | 'catalog.write'
  | 'orders.create'
  | 'orders.read'
  | 'orders.refund'
  | 'orders.refund_any_tender'
  | 'orders.void'
  | 'discounts.apply'
  | 'stock.read'
  | 'stock.write'
  | 'cash.operate'
  | 'cash.read'
  | 'staff.write'
  | 'audit.read'
  // step-up approvals (issue 5): approve a cashier's sensitive action
  | 'approvals.grant'
  // compliance: owners decide; auditors read; managers neither (their refunds are monitored)
  | 'compliance.read'
  | 'compliance.write'
  // payments: issue and load stored value, card exception list
  | 'payments.manage'
  // customers, loyalty, coupons, marketing
  | 'customers.read'
  | 'customers.write'
  | 'customers.privacy'
  | 'marketing.write'
  // promotions
  | 'promotions.write'
  // insights
  | 'insights.read'
  | 'insights.write'
  | 'insights.recommend'
  // device credentials: register, pair and revoke devices (back office)
  | 'devices.manage'
  // held by devices only, never by a role: a payment terminal reports card reads of its own
  // register; a customer display sends the shopper's tip and feedback for its own register
  | 'terminal.present'
  | 'display.interact';

const everything: readonly Permission[] = [
  'approvals.grant',
  'stores.read',
  'stores.write',
  'catalog.read',
  'catalog.write',
  'orders.create',
  'orders.read',
  'orders.refund',
  'orders.refund_any_tender',
  'orders.void',
  'discounts.apply',
  'stock.read',
  'stock.write',
  'cash.operate',
  'cash.read',
  'staff.write',
  'audit.read',
  'payments.manage',
  'customers.read',
  'customers.write',
  'customers.privacy',
  'marketing.write',
  'promotions.write',
  'insights.read',
  'insights.write',
  'insights.recommend',
  'devices.manage',
];

/** Who may do what. Owners and managers run the store; cashiers sell; auditors only read. */
export const rolePermissions: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set<Permission>([...everything, 'compliance.read', 'compliance.write']),
  manager: new Set(everything),
  cashier: new Set<Permission>([
    'stores.read',
    'catalog.read',
    'orders.create',
    'orders.read',
    'orders.refund',
    'orders.void',
    'discounts.apply',
    'stock.read',
    'cash.operate',
    'cash.read',
    'customers.read',
    'customers.write',
    'insights.recommend',
  ]),
  auditor: new Set<Permission>([
    'stores.read',
    'catalog.read',
    'orders.read',
    'stock.read',
    'cash.read',
    'customers.read',
    'audit.read',
    'compliance.read',
    'insights.read',
  ]),
};

export function can(role: Role, permission: Permission): boolean {
  return rolePermissions[role].has(permission);
}
