/**
 * The register's engine, as the UI sees it. `offline/till.ts` implements it over IndexedDB
 * (Dexie), the pure core and the server; the register UI only talks to this interface.
 *
 * Rules it keeps (issue: offline-first register):
 * - a sale is priced by @opentill/core, gets its `ord_…` id and an HLC stamp on the device, and is
 *   in the local append-only outbox BEFORE `completeSale` resolves (so before the receipt shows);
 * - the outbox pushes in order with Idempotency-Keys and backoff, survives reloads, and only one
 *   tab per device pushes (Web Locks); the server keeps every sale once;
 * - the catalog, prices, tax rates, stores and PIN verifiers live in IndexedDB, refreshed by delta.
 */
import type {
  PricedCart,
  PromotionHint,
  Result,
  DomainError,
  TenderKind,
  Unit,
  AppliedDiscount,
} from '@opentill/core';
import type { OfflineCardRead } from './terminal';

export type Role = 'owner' | 'manager' | 'cashier' | 'auditor';

export interface StaffInfo {
  id: string;
  username: string;
  displayName: string;
  role: Role;
}

export interface StoreInfo {
  id: string;
  name: string;
  nameZh: string | null;
  currency: string;
  timeZone: string;
  taxMode: 'inclusive' | 'exclusive';
  taxRounding: 'per_line' | 'per_order';
  roundingMode: 'half_up' | 'half_even' | 'half_down' | 'up' | 'down';
  cashIncrement: number;
}

export interface RegisterInfo {
  id: string;
  storeId: string;
  name: string;
  /** card sales allowed offline up to this amount (minor units) per sale; 0 = none */
  offlineCardLimit: number;
}

export interface CatalogItem {
  variantId: string;
  productId: string;
  name: string;
  nameZh: string | null;
  sku: string;
  barcodes: string[];
  unit: Unit;
  taxClassId: string;
  categoryId: string | null;
  pluCode: string | null;
  /** price in the register's store, minor units; null = not sold here */
  price: number | null;
}

/** A promotion the cart nearly gets, with the local catalog's item to add (see core promotionHints). */
export interface CartHint extends PromotionHint {
  item: CatalogItem;
}

export interface Category {
  id: string;
  name: string;
  nameZh: string | null;
}

export type ScanResult =
  | { kind: 'item'; item: CatalogItem }
  /** a price- or weight-embedded scale label */
  | { kind: 'embedded'; item: CatalogItem; priceMinor?: number; quantity?: number };

export interface CartLine {
  lineId: string;
  item: CatalogItem;
  quantity: number;
  /** from an embedded-price label */
  priceOverride?: number;
  /** a unit price the cashier typed over the store's price (may need a manager's approval) */
  unitPrice?: number;
  discount?: AppliedDiscount;
}

export interface Cart {
  lines: CartLine[];
  orderDiscounts: AppliedDiscount[];
  customerId?: string | null;
  /** the attached member as the till last saw them (for the screen and offline points) */
  member?: MemberInfo | null;
  /** a coupon the server checked: priced here as an order discount, sent as `couponCode` */
  coupon?: { code: string; name: string; discount?: AppliedDiscount } | null;
}

export interface MemberInfo {
  id: string;
  name: string | null;
  phoneMasked: string | null;
  /** spendable points when attached, and what they pay for in this store's currency */
  points: number;
  pointsValue: number;
  /** points : minor units, from the store currency's programme */
  pointsPerUnit: number;
  minorPerUnit: number;
  /** points this register may let be redeemed while offline */
  offlineAllowance: number;
  tier: string | null;
  /** the tier's id, for member promotions */
  tierId?: string | null;
}

export interface TenderEntry {
  kind: TenderKind;
  amount: number;
  reference?: string;
  /** gift card PIN (sent once with the sale, never stored on the device) */
  pin?: string;
  /** card: charge it on this payment terminal through the server (needs the network) */
  terminalId?: string;
  /**
   * card read by the terminal while offline (store-and-forward, under the register's floor
   * limit): `reference` is the terminal's reference of its stored read, forwarded later
   */
  offline?: boolean;
  /** card: the masked number (first 6 / last 4 at most) and brand, for the screen and the receipt */
  maskedPan?: string;
  brand?: string;
}

export interface LocalSale {
  orderId: string;
  /** hybrid logical clock stamp, sortable as text */
  hlc: string;
  createdAt: string;
  storeId: string;
  registerId: string;
  staffId: string;
  priced: PricedCart;
  tenders: TenderEntry[];
  change: number;
  cashRounding: number;
  /** chosen by the shopper on the customer display */
  tip?: number;
  /** the POST /api/v1/orders body, kept for retries */
  body: unknown;
  idempotencyKey: string;
  status: 'pending' | 'synced' | 'rejected';
  /** when the server refused it (4xx), why: shown to a manager, never retried blindly */
  rejection?: { code: string; message: string };
  /** card taken offline under the floor limit: store-and-forward, to settle later */
  offlineCard?: boolean;
}

export interface SyncState {
  online: boolean;
  unsynced: number;
  rejected: number;
  lastSyncAt: string | null;
  /** true in the one tab that pushes the outbox for this device */
  leader: boolean;
  catalogCursor: string | null;
  lastError: string | null;
}

export interface ParkedTicket {
  id: string;
  cart: Cart;
  note: string;
  parkedAt: string;
}

export type TillError = DomainError<string>;
export type TillResult<T> = Result<T, TillError>;

/** A register paired in the back office: which register this browser is, and its credential. */
export interface RegisterPairing {
  credential: string;
  deviceId: string;
  storeId: string;
  registerId: string;
  storeName: string;
  registerName: string | null;
}

export interface Till {
  /** opens IndexedDB, restores the session, starts catalog refresh and the outbox pusher */
  start(): Promise<void>;
  stop(): void;
  sync(): SyncState;
  subscribe(listener: (state: SyncState) => void): () => void;

  /** who is signed in on this device, and where */
  session(): { staff: StaffInfo; store: StoreInfo; register: RegisterInfo } | null;
  login(username: string, password: string): Promise<TillResult<StaffInfo>>;
  /** switch staff on this register: online via the server; offline against a verifier cached at the last online PIN use */
  pinSwitch(username: string, pin: string): Promise<TillResult<StaffInfo>>;
  /** this browser's register pairing (its device credential), kept across reloads; null when unpaired */
  pairing(): RegisterPairing | null;
  /** trades a pairing code from the back office for this register's credential */
  pair(code: string): Promise<TillResult<RegisterPairing>>;
  /** signs a cashier in by username and PIN on this paired register (no password) */
  pinSignIn(username: string, pin: string): Promise<TillResult<StaffInfo>>;
  /** refused with code `unsynced_sales` while the outbox holds sales */
  logout(): Promise<TillResult<null>>;
  stores(): Promise<StoreInfo[]>;
  registers(storeId: string): Promise<RegisterInfo[]>;
  chooseRegister(registerId: string): Promise<TillResult<null>>;

  categories(): Promise<Category[]>;
  itemsInCategory(categoryId: string | null, limit: number): Promise<CatalogItem[]>;
  favourites(): Promise<CatalogItem[]>;
  /** name in either language (substring), SKU or barcode; local, fast at 100,000 products */
  search(query: string, limit: number): Promise<CatalogItem[]>;
  scan(code: string): Promise<TillResult<ScanResult>>;
  /** the local catalog's items for these variant ids, in order; unknown or not sold here are left out */
  itemsByIds(variantIds: string[]): Promise<CatalogItem[]>;

  /** the core's price for this cart in this store (same answer as the server) */
  /** Prices with the cached promotions at `at` (default now). */
  price(cart: Cart, at?: string): TillResult<PricedCart>;
  /**
   * Promotions the cart nearly gets, from the cached promotions and the local catalog (offline
   * too): what to add ("one more latte") and what the sale then saves, biggest saving first.
   */
  promotionHints(cart: Cart, at?: string): CartHint[];
  /** prices, settles tenders, writes the sale to the outbox, then resolves; offline too (cash, card under the floor limit) */
  /**
   * Records a sale. Tenders the server must authorize first (gift card, store credit, wallet, a
   * card charged on a terminal) are sent at once and the sale is only kept when the server takes
   * it; a decline comes back as an error so the cashier can choose another tender. A sale with a
   * typed price or a manual discount is sent at once too (online): the server may answer
   * `approval_required`, and the retry carries the manager's approvals (`approvalIds`). Offline,
   * such a sale is refused (`needs_manager_online`) when the last-known policy would need a manager.
   */
  completeSale(
    cart: Cart,
    tenders: TenderEntry[],
    /** `orderId`: keep the same id (and so the same Idempotency-Key) when retrying after a decline */
    extra?: { tip?: number; orderId?: string; approvalIds?: readonly string[] },
  ): Promise<TillResult<LocalSale>>;
  recentSales(limit: number): Promise<LocalSale[]>;
  /**
   * Reads a card on this register's terminal without the network (store-and-forward): the
   * terminal keeps the card data, the till gets its reference, the masked number and the brand.
   */
  readCardOffline(amount: number): Promise<TillResult<OfflineCardRead>>;

  park(cart: Cart, note: string): Promise<ParkedTicket>;
  parked(): Promise<ParkedTicket[]>;
  /** removes it from the parked list and returns it */
  resume(id: string): Promise<TillResult<Cart>>;
}
