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
  | 'insights.read'
  | 'insights.write'
  | 'insights.recommend';

const everything: readonly Permission[] = [
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
  'insights.read',
  'insights.write',
  'insights.recommend',
];

/** Who may do what. Owners and managers run the store; cashiers sell; auditors only read. */
export const rolePermissions: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(everything),
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
    'insights.recommend',
  ]),
  auditor: new Set<Permission>([
    'stores.read',
    'catalog.read',
    'orders.read',
    'stock.read',
    'cash.read',
    'insights.read',
  ]),
};

export function can(role: Role, permission: Permission): boolean {
  return rolePermissions[role].has(permission);
}
