/**
 * The offline-first register engine: implements `Till` (contract.ts) over IndexedDB (db.ts), the
 * pure core and the server. One instance per page (`createTill`).
 *
 * - Reference data and the catalog are refreshed by delta (`/catalog/changes?since=<cursor>`) on
 *   start, on `online` and every 60 s, and kept in memory for search and scan (search.ts).
 * - `completeSale` prices with the core, stamps the sale with the device's HLC and writes it to
 *   the outbox in one IndexedDB transaction before it resolves.
 * - One tab per device (Web Locks `opentill-outbox`) pushes the outbox in HLC order with the
 *   sale's Idempotency-Key; the server keeps each sale once whatever the retries or tabs.
 */
import Dexie from 'dexie';
import {
  fail,
  hlcInit,
  ok,
  packHlc,
  parseBarcode,
  hintItemMatches,
  promotionSelectors,
  tick,
  unpackHlc,
  type Hlc,
  type HintItem,
  type LineSelector,
  type PricedCart,
  type Promotion,
  type Unit,
} from '@opentill/core';
import { api, getToken, setRefreshToken, setToken, type ApiError } from '../api/client';
import type {
  Cart,
  CartHint,
  CatalogItem,
  Category,
  LocalSale,
  ParkedTicket,
  RegisterInfo,
  RegisterPairing,
  ScanResult,
  StaffInfo,
  StoreInfo,
  SyncState,
  TenderEntry,
  Till,
  TillResult,
} from './contract';
import {
  getMeta,
  META,
  setMeta,
  TillDb,
  type CategoryRow,
  type ItemRow,
  type OutboxRow,
  type StoreRow,
  type TaxClassRow,
} from './db';
import { idempotencyKeyFor, newId } from './ids';
import { classifyPush, nextBackoff, PUSH_CONCURRENCY, type PushOutcome } from './outbox-policy';
import { checkPin, makePinVerifier, PIN_MAX_OFFLINE_FAILURES } from './pin-verifier';
import { SearchIndex } from './search';
import { SimulatedTerminal, type OfflineCardRead } from './terminal';
import {
  forDevice,
  hintsInStore,
  needsAuthorization,
  offlineNeedsManager,
  offlineTenders,
  type OfflineApprovalPolicy,
  orderBody,
  priceInStore,
  receiptToken,
  settle,
  taxClassesFor,
} from './sale';

/** Items of one promotion selector (category, product) offered in hints: the cheapest few. */
const HINT_ITEMS_PER_SELECTOR = 5;

/** Meta key of the cached active promotions. */
const META_PROMOTIONS = 'promotions';

const LOCK_NAME = 'opentill-outbox';
/** this browser's register pairing (the device credential), kept across reloads */
const PAIRING_KEY = 'opentill.registerPairing';
const CHANNEL_NAME = 'opentill-outbox';
const REFRESH_MS = 60_000;
const IDLE_SCAN_MS = 15_000;
const PAGE = 1000;
const KEEP_SYNCED_MS = 30 * 86_400_000;
/** how soon the badge is recounted after another tab wrote to the outbox */
const RECOUNT_MS = 150;
/** pending sales read per push round */
const PUSH_PAGE = 500;

interface SessionMeta {
  token: string;
  /** renews the short-lived token (absent in sessions saved before refresh tokens existed) */
  refreshToken?: string;
  staff: StaffInfo;
  storeId: string | null;
  registerId: string | null;
}

interface ChangeItem {
  id: string;
  productId: string;
  sku: string;
  name: string;
  nameZh: string | null;
  unit: Unit;
  taxClassId: string;
  pluCode: string | null;
  active: boolean;
  barcodes: string[];
  prices: Record<string, number>;
  updatedAt: string;
  productActive: boolean;
  categoryId: string | null;
}

type StaffWire = StaffInfo & { hasPin?: boolean; active?: boolean };

const staffInfo = (s: StaffWire): StaffInfo => ({
  id: s.id,
  username: s.username,
  displayName: s.displayName,
  role: s.role,
});

const toItemRow = (c: ChangeItem): ItemRow => ({
  variantId: c.id,
  productId: c.productId,
  name: c.name,
  nameZh: c.nameZh,
  sku: c.sku,
  barcodes: c.barcodes,
  unit: c.unit,
  taxClassId: c.taxClassId,
  categoryId: c.categoryId,
  pluCode: c.pluCode,
  prices: c.prices,
  updatedAt: c.updatedAt,
});

const publicSale = (row: OutboxRow): LocalSale => {
  const { token: _token, syncedAt: _syncedAt, attempts: _attempts, ...sale } = row;
  return sale;
};

const storeInfo = (s: StoreRow): StoreInfo => ({
  id: s.id,
  name: s.name,
  nameZh: s.nameZh,
  currency: s.currency,
  timeZone: s.timeZone,
  taxMode: s.taxMode,
  taxRounding: s.taxRounding,
  roundingMode: s.roundingMode,
  cashIncrement: s.cashIncrement,
});

class TillEngine implements Till {
  readonly db = new TillDb();
  /** the register's payment terminal for offline card reads (simulated; see terminal.ts) */
  readonly terminal = new SimulatedTerminal(this.db);
  private readonly index = new SearchIndex();
  private readonly items = new Map<string, ItemRow>();
  private storesById = new Map<string, StoreRow>();
  private registersById = new Map<string, RegisterInfo>();
  private taxRows: TaxClassRow[] = [];
  /** active promotions as last fetched (`/promotions/active`), kept in meta for offline pricing */
  private promotionRows: Promotion[] = [];
  private categoryRows: CategoryRow[] = [];
  /** bumped whenever the in-memory catalog changes */
  private catalogVersion = 0;
  /** items the promotion hints may suggest, for one set of promotions, catalog version and store */
  private hintPool: { promotions: Promotion[]; catalog: number; storeId: string; items: HintItem[] } | null =
    null;
  private sess: SessionMeta | null = null;
  private deviceId = '';
  private state: SyncState = {
    online: typeof navigator === 'undefined' ? true : navigator.onLine,
    unsynced: 0,
    rejected: 0,
    lastSyncAt: null,
    leader: false,
    catalogCursor: null,
    lastError: null,
  };
  private lastRequestFailed = false;
  private readonly listeners = new Set<(s: SyncState) => void>();
  private starting: Promise<void> | null = null;
  private catalogLoaded: Promise<void> = Promise.resolve();
  private refreshing: Promise<void> | null = null;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private recountTimer: ReturnType<typeof setTimeout> | undefined;
  private recounting = false;
  /** bumped by every outbox write this tab makes; a recount that overlapped one is redone */
  private outboxSeq = 0;
  private channel: BroadcastChannel | null = null;
  private releaseLock: (() => void) | null = null;
  private lockAbort: AbortController | null = null;
  private wake: (() => void) | null = null;
  private kicked = false;
  private stopped = false;
  private backoff = 0;
  /** bumped by stop(): an old pusher loop ends when it sees a newer generation */
  private generation = 0;

  // lifecycle

  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.stopped = false;
    // ask the browser not to evict the outbox under storage pressure
    void navigator.storage?.persist?.().catch(() => false);
    await this.db.open();
    let deviceId = await getMeta<string>(this.db, META.deviceId);
    if (!deviceId) {
      deviceId = `dev_${newId('x').slice(2).replace(/-/g, '').slice(0, 20)}`;
      await setMeta(this.db, META.deviceId, deviceId);
    }
    this.deviceId = deviceId;
    this.sess = (await getMeta<SessionMeta>(this.db, META.session)) ?? null;
    setToken(this.sess?.token ?? null);
    this.followRefresh();
    await this.loadReference();
    // the catalog (100,000 rows take ~1.5 s to read) loads in the background: the session and
    // the cart are usable at once, search/scan/grid wait for it
    this.catalogLoaded = this.loadCatalog();
    void this.pruneSynced();

    const [lastSyncAt, cursor] = await Promise.all([
      getMeta<string>(this.db, META.lastSyncAt),
      getMeta<string>(this.db, META.catalogCursor),
    ]);
    this.update({ lastSyncAt: lastSyncAt ?? null, catalogCursor: cursor ?? null });
    // the sync badge: counted once here, then kept by this tab's own writes (exact deltas) and
    // recounted when another tab says it wrote (no count or query per sale)
    this.recountSoon(0);

    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(CHANNEL_NAME);
      this.channel.onmessage = (e: MessageEvent<{ type?: string }>) => {
        this.recountSoon(RECOUNT_MS);
        if (e.data?.type === 'sale') this.nudge();
      };
    }
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.refreshTimer = setInterval(() => void this.refresh(), REFRESH_MS);
    void this.refresh();
    this.electLeader();
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    this.starting = null;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.recountTimer) clearTimeout(this.recountTimer);
    this.recountTimer = undefined;
    this.channel?.close();
    this.channel = null;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.lockAbort?.abort();
    this.releaseLock?.();
    this.releaseLock = null;
    this.kick();
    this.update({ leader: false });
  }

  private readonly onOnline = () => {
    this.lastRequestFailed = false;
    this.backoff = 0;
    this.update({ online: true });
    void this.refresh();
    this.kick();
  };

  private readonly onOffline = () => this.update({ online: false });

  // sync state

  sync(): SyncState {
    return this.state;
  }

  subscribe(listener: (state: SyncState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private update(patch: Partial<SyncState>): void {
    const next = { ...this.state, ...patch };
    next.online = navigator.onLine && !this.lastRequestFailed && (patch.online ?? true);
    const changed = (Object.keys(next) as (keyof SyncState)[]).some((k) => next[k] !== this.state[k]);
    if (!changed) return;
    this.state = next;
    for (const l of this.listeners) l(next);
  }

  /** Applies this tab's own outbox change to the badge at once (exact: it just committed it). */
  private outboxChanged(delta: { unsynced?: number; rejected?: number }): void {
    this.outboxSeq += 1;
    this.update({
      unsynced: Math.max(0, this.state.unsynced + (delta.unsynced ?? 0)),
      rejected: Math.max(0, this.state.rejected + (delta.rejected ?? 0)),
    });
  }

  /** Recounts pending and rejected sales from IndexedDB soon (coalesced: one count at a time). */
  private recountSoon(ms: number): void {
    if (this.recountTimer || this.stopped) return;
    this.recountTimer = setTimeout(() => {
      this.recountTimer = undefined;
      void this.recount();
    }, ms);
  }

  private async recount(): Promise<void> {
    if (this.recounting) return this.recountSoon(RECOUNT_MS);
    this.recounting = true;
    try {
      const seq = this.outboxSeq;
      const [unsynced, rejected] = await this.db.transaction('r', this.db.outbox, () =>
        Promise.all([
          this.db.outbox.where('status').equals('pending').count(),
          this.db.outbox.where('status').equals('rejected').count(),
        ]),
      );
      // this tab wrote meanwhile: its deltas already moved the badge, count again to be exact
      if (seq !== this.outboxSeq) this.recountSoon(RECOUNT_MS);
      else this.update({ unsynced, rejected });
    } catch {
      this.recountSoon(1000);
    } finally {
      this.recounting = false;
    }
  }

  /** Calls the API and notes whether the server answered (any HTTP status counts as online). */
  private async call<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) {
    const r = await api<T>(method, path, body, headers);
    const failed = !r.ok && r.error.status === 0;
    if (failed !== this.lastRequestFailed) {
      this.lastRequestFailed = failed;
      this.update({});
    }
    return r;
  }

  // reference data and catalog

  private async loadReference(): Promise<void> {
    const [stores, registers, taxes, cats] = await Promise.all([
      this.db.stores.toArray(),
      this.db.registers.toArray(),
      this.db.taxClasses.toArray(),
      this.db.categories.toArray(),
    ]);
    this.storesById = new Map(stores.map((s) => [s.id, s]));
    this.registersById = new Map(registers.map((r) => [r.id, r]));
    this.taxRows = taxes;
    this.categoryRows = cats;
    this.promotionRows = (await getMeta<Promotion[]>(this.db, META_PROMOTIONS)) ?? [];
  }

  /** Refreshes the cached promotions; on failure the till keeps pricing with the ones it has. */
  private async refreshPromotions(): Promise<void> {
    const r = await this.call<{ items: Promotion[] }>('GET', '/promotions/active');
    if (!r.ok) return;
    await setMeta(this.db, META_PROMOTIONS, r.value.items);
    this.promotionRows = r.value.items;
  }

  private async loadCatalog(): Promise<void> {
    const rows = await this.db.items.toArray();
    this.items.clear();
    this.index.clear();
    for (const r of rows) this.items.set(r.variantId, r);
    this.catalogVersion += 1;
    this.index.upsert(rows);
    this.index.ordered(); // sort now, not on the first keystroke
  }

  /** Resolves when the catalog is in memory (search, scan and the grid wait for it). */
  catalogReady(): Promise<void> {
    return this.start().then(() => this.catalogLoaded);
  }

  /** Refreshes reference data and pulls catalog changes since the cursor; one at a time. */
  refresh(): Promise<void> {
    if (!getToken() || this.stopped) return Promise.resolve();
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    await this.catalogLoaded;
    if (!(await this.refreshReference())) return;
    await Promise.all([this.pullCatalog(), this.refreshPromotions()]);
  }

  private async refreshReference(): Promise<boolean> {
    const [stores, registers, taxes, cats] = await Promise.all([
      this.call<{ items: StoreRow[] }>('GET', '/stores'),
      this.call<{ items: (RegisterInfo & { active?: boolean })[] }>('GET', '/registers'),
      this.call<{ items: { id: string; name: string; rates: { storeId: string; ratePpm: number }[] }[] }>(
        'GET',
        '/tax-classes',
      ),
      this.call<{ items: CategoryRow[] }>('GET', '/categories'),
    ]);
    if (!stores.ok || !registers.ok || !taxes.ok || !cats.ok) {
      const e = [stores, registers, taxes, cats].find((r) => !r.ok);
      if (e && !e.ok) this.update({ lastError: e.error.message });
      return false;
    }
    // the approval policy, for deciding offline (modules/approvals); not fatal when refused
    const policy = await this.call<OfflineApprovalPolicy>('GET', '/approvals/policy');
    if (policy.ok)
      await setMeta(this.db, META.approvalPolicy, {
        priceOverride: policy.value.priceOverride,
        discountAboveBp: policy.value.discountAboveBp,
      });
    const storeRows = stores.value.items;
    const registerRows = registers.value.items
      .filter((r) => r.active !== false)
      .map((r) => ({
        id: r.id,
        storeId: r.storeId,
        name: r.name,
        offlineCardLimit: r.offlineCardLimit ?? 0,
      }));
    const taxRows: TaxClassRow[] = taxes.value.items.map((t) => ({
      id: t.id,
      name: t.name,
      rates: Object.fromEntries(t.rates.map((r) => [r.storeId, r.ratePpm])),
    }));
    const catRows = cats.value.items.map((c) => ({
      id: c.id,
      name: c.name,
      nameZh: c.nameZh,
      parentId: c.parentId ?? null,
      sort: c.sort ?? 0,
    }));
    await this.db.transaction(
      'rw',
      [this.db.stores, this.db.registers, this.db.taxClasses, this.db.categories],
      async () => {
        await Promise.all([
          this.db.stores.clear(),
          this.db.registers.clear(),
          this.db.taxClasses.clear(),
          this.db.categories.clear(),
        ]);
        await Promise.all([
          this.db.stores.bulkPut(storeRows),
          this.db.registers.bulkPut(registerRows),
          this.db.taxClasses.bulkPut(taxRows),
          this.db.categories.bulkPut(catRows),
        ]);
      },
    );
    this.storesById = new Map(storeRows.map((s) => [s.id, s]));
    this.registersById = new Map(registerRows.map((r) => [r.id, r]));
    this.taxRows = taxRows;
    this.categoryRows = catRows;
    this.update({ lastError: null });
    return true;
  }

  private fetchChanges(cursor: string | null) {
    const q = cursor ? `since=${encodeURIComponent(cursor)}&limit=${PAGE}` : `limit=${PAGE}`;
    return this.call<{ items: ChangeItem[]; nextCursor: string }>('GET', `/catalog/changes?${q}`);
  }

  /** Pages through /catalog/changes until empty, fetching the next page while writing this one. */
  private async pullCatalog(): Promise<void> {
    let cursor = (await getMeta<string>(this.db, META.catalogCursor)) ?? null;
    let pending = this.fetchChanges(cursor);
    for (;;) {
      const r = await pending;
      if (!r.ok) {
        this.update({ lastError: r.error.message });
        return;
      }
      const { items, nextCursor } = r.value;
      if (items.length === 0) return;
      const full = items.length >= PAGE && nextCursor !== cursor;
      if (full) pending = this.fetchChanges(nextCursor);
      const puts = items.filter((c) => c.active && c.productActive).map(toItemRow);
      const dels = items.filter((c) => !(c.active && c.productActive)).map((c) => c.id);
      await this.db.transaction('rw', this.db.items, this.db.meta, async () => {
        await this.db.items.bulkPut(puts);
        if (dels.length) await this.db.items.bulkDelete(dels);
        await setMeta(this.db, META.catalogCursor, nextCursor);
      });
      for (const p of puts) this.items.set(p.variantId, p);
      for (const d of dels) this.items.delete(d);
      this.catalogVersion += 1;
      this.index.remove(dels);
      this.index.upsert(puts);
      cursor = nextCursor;
      this.update({ catalogCursor: cursor });
      if (!full) return;
    }
  }

  // session

  private currentStore(): StoreRow | undefined {
    return this.sess?.storeId ? this.storesById.get(this.sess.storeId) : undefined;
  }

  private currentRegister(): RegisterInfo | undefined {
    return this.sess?.registerId ? this.registersById.get(this.sess.registerId) : undefined;
  }

  session(): { staff: StaffInfo; store: StoreInfo; register: RegisterInfo } | null {
    const store = this.currentStore();
    const register = this.currentRegister();
    if (!this.sess || !store || !register) return null;
    return { staff: this.sess.staff, store: storeInfo(store), register };
  }

  /** Keeps renewed tokens in the saved session, so a reload continues with them. */
  private followRefresh(): void {
    setRefreshToken(this.sess?.refreshToken ?? null, (pair) => {
      if (this.sess) void this.saveSession({ ...this.sess, ...pair });
    });
  }

  private async saveSession(next: SessionMeta | null): Promise<void> {
    this.sess = next;
    setToken(next?.token ?? null);
    this.followRefresh();
    if (next) await setMeta(this.db, META.session, next);
    else await this.db.meta.delete(META.session);
    this.update({});
  }

  async login(username: string, password: string): Promise<TillResult<StaffInfo>> {
    await this.start();
    const r = await this.call<{ token: string; refreshToken?: string; staff: StaffWire }>(
      'POST',
      '/auth/login',
      {
        username,
        password,
      },
    );
    if (!r.ok) return this.networkAware(r.error, 'Signing in with a password needs the network.');
    const staff = staffInfo(r.value.staff);
    const keep = this.sess && this.sess.staff.id === staff.id ? this.sess : null;
    await this.saveSession({
      token: r.value.token,
      ...(r.value.refreshToken ? { refreshToken: r.value.refreshToken } : {}),
      staff,
      storeId: keep?.storeId ?? null,
      registerId: keep?.registerId ?? null,
    });
    await this.refreshReference();
    void this.refresh();
    this.kick();
    return ok(staff);
  }

  private networkAware(error: ApiError, offlineMessage: string): TillResult<never> {
    if (error.status === 0) return fail('needs_network', offlineMessage);
    return fail(error.code, error.message, error.details);
  }

  async pinSwitch(username: string, pin: string): Promise<TillResult<StaffInfo>> {
    await this.start();
    const sess = this.sess;
    if (!sess?.registerId) return fail('no_register', 'Choose a register before switching staff.');
    const user = username.trim().toLowerCase();
    if (navigator.onLine) {
      const r = await this.call<{ token: string; refreshToken?: string; staff: StaffWire }>(
        'POST',
        '/auth/pin',
        {
          registerId: sess.registerId,
          username,
          pin,
        },
      );
      if (r.ok) {
        const staff = staffInfo(r.value.staff);
        await this.saveSession({
          ...sess,
          token: r.value.token,
          ...(r.value.refreshToken ? { refreshToken: r.value.refreshToken } : {}),
          staff,
        });
        const verifier = await makePinVerifier(pin);
        await this.db.pins.put({
          username: user,
          staff,
          ...verifier,
          failures: 0,
          updatedAt: new Date().toISOString(),
        });
        this.kick();
        return ok(staff);
      }
      if (r.error.status !== 0) return fail(r.error.code, r.error.message, r.error.details);
    }
    // offline: against the verifier from the last online PIN use on this device
    const row = await this.db.pins.get(user);
    if (!row) {
      return fail(
        'pin_unknown_offline',
        `${username} has not used a PIN on this device while online, so it cannot be checked offline.`,
      );
    }
    if (row.failures >= PIN_MAX_OFFLINE_FAILURES) {
      return fail(
        'pin_locked_offline',
        'Too many wrong PINs: this PIN can be used again once the till is online.',
      );
    }
    if (!(await checkPin(pin, row))) {
      await this.db.pins.update(user, { failures: row.failures + 1 });
      return fail('invalid_pin', 'Wrong PIN.');
    }
    await this.db.pins.update(user, { failures: 0 });
    // the token stays the last one the server issued: the server records that staff on sync
    await this.saveSession({ ...sess, staff: row.staff });
    return ok(row.staff);
  }

  pairing(): RegisterPairing | null {
    try {
      const raw = localStorage.getItem(PAIRING_KEY);
      return raw ? (JSON.parse(raw) as RegisterPairing) : null;
    } catch {
      return null;
    }
  }

  async pair(code: string): Promise<TillResult<RegisterPairing>> {
    await this.start();
    const r = await this.call<{
      credential: string;
      device: { id: string; kind: string; storeId: string; registerId: string | null };
      storeName?: string;
      registerName?: string | null;
    }>('POST', '/devices/pair', { code: code.trim() });
    if (!r.ok) return this.networkAware(r.error, 'Pairing needs the network.');
    const d = r.value.device;
    if (d.kind !== 'register' || !d.registerId)
      return fail('device_kind_mismatch', 'This code pairs another kind of device, not a register.');
    const pairing: RegisterPairing = {
      credential: r.value.credential,
      deviceId: d.id,
      storeId: d.storeId,
      registerId: d.registerId,
      storeName: r.value.storeName ?? '',
      registerName: r.value.registerName ?? null,
    };
    localStorage.setItem(PAIRING_KEY, JSON.stringify(pairing));
    this.update({});
    return ok(pairing);
  }

  async pinSignIn(username: string, pin: string): Promise<TillResult<StaffInfo>> {
    await this.start();
    const pairing = this.pairing();
    if (!pairing) return fail('register_not_paired', 'Pair this register first.');
    // the credential buys a short device token; the device token signs the cashier in
    const device = await this.call<{ token: string }>('POST', '/devices/token', undefined, {
      authorization: `Bearer ${pairing.credential}`,
    });
    if (!device.ok) {
      if (device.error.status === 401) {
        localStorage.removeItem(PAIRING_KEY);
        this.update({});
        return fail('device_revoked', 'This register’s pairing was revoked: pair it again.');
      }
      return this.networkAware(device.error, 'Signing in with a PIN on this register needs the network.');
    }
    const r = await this.call<{ token: string; refreshToken?: string; staff: StaffWire }>(
      'POST',
      '/auth/pin',
      { username: username.trim(), pin },
      { authorization: `Bearer ${device.value.token}` },
    );
    if (!r.ok) return this.networkAware(r.error, 'Signing in with a PIN on this register needs the network.');
    const staff = staffInfo(r.value.staff);
    await this.saveSession({
      token: r.value.token,
      ...(r.value.refreshToken ? { refreshToken: r.value.refreshToken } : {}),
      staff,
      storeId: pairing.storeId,
      registerId: pairing.registerId,
    });
    // the PIN then also works offline on this register (PIN switch)
    const verifier = await makePinVerifier(pin);
    await this.db.pins.put({
      username: username.trim().toLowerCase(),
      staff,
      ...verifier,
      failures: 0,
      updatedAt: new Date().toISOString(),
    });
    await setMeta(this.db, META.lastRegister, pairing.registerId);
    // straight to selling (no register to choose): the catalog is there before the grid shows
    await this.refresh();
    this.kick();
    return ok(staff);
  }

  async logout(): Promise<TillResult<null>> {
    await this.start();
    const unsynced = await this.db.outbox.where('status').equals('pending').count();
    if (unsynced > 0) {
      return fail(
        'unsynced_sales',
        `${unsynced} sale(s) have not reached the server yet. Stay signed in until they are sent.`,
        { unsynced },
      );
    }
    if (navigator.onLine) void this.call('POST', '/auth/logout', {});
    await this.saveSession(null);
    return ok(null);
  }

  async stores(): Promise<StoreInfo[]> {
    await this.start();
    if (this.storesById.size === 0 && getToken()) await this.refreshReference();
    return [...this.storesById.values()].map(storeInfo).sort((a, b) => a.name.localeCompare(b.name));
  }

  async registers(storeId: string): Promise<RegisterInfo[]> {
    await this.start();
    if (getToken() && navigator.onLine) {
      const r = await this.call<{ items: (RegisterInfo & { active?: boolean })[] }>(
        'GET',
        `/registers?storeId=${encodeURIComponent(storeId)}`,
      );
      if (r.ok) {
        const rows = r.value.items
          .filter((x) => x.active !== false)
          .map((x) => ({
            id: x.id,
            storeId: x.storeId,
            name: x.name,
            offlineCardLimit: x.offlineCardLimit ?? 0,
          }));
        await this.db.registers.bulkPut(rows);
        for (const x of rows) this.registersById.set(x.id, x);
      }
    }
    return [...this.registersById.values()]
      .filter((r) => r.storeId === storeId)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async chooseRegister(registerId: string): Promise<TillResult<null>> {
    await this.start();
    if (!this.sess) return fail('no_session', 'Sign in first.');
    let register = this.registersById.get(registerId);
    if (!register && getToken()) {
      await this.refreshReference();
      register = this.registersById.get(registerId);
    }
    if (!register) return fail('unknown_register', `Register ${registerId} does not exist.`);
    if (!this.storesById.has(register.storeId)) {
      return fail('unknown_store', `Store ${register.storeId} is not known on this device.`);
    }
    await this.saveSession({ ...this.sess, storeId: register.storeId, registerId });
    await setMeta(this.db, META.lastRegister, registerId);
    return ok(null);
  }

  // catalog

  async categories(): Promise<Category[]> {
    await this.start();
    return [...this.categoryRows]
      .sort((a, b) => a.sort - b.sort || a.name.localeCompare(b.name))
      .map((c) => ({ id: c.id, name: c.name, nameZh: c.nameZh }));
  }

  private priceHere(id: string): number | null {
    const storeId = this.sess?.storeId;
    if (!storeId) return null;
    return this.items.get(id)?.prices[storeId] ?? null;
  }

  private toItem(row: ItemRow): CatalogItem {
    return {
      variantId: row.variantId,
      productId: row.productId,
      name: row.name,
      nameZh: row.nameZh,
      sku: row.sku,
      barcodes: row.barcodes,
      unit: row.unit,
      taxClassId: row.taxClassId,
      categoryId: row.categoryId,
      pluCode: row.pluCode,
      price: this.priceHere(row.variantId),
    };
  }

  private sellable = (id: string): boolean => this.priceHere(id) !== null;

  async itemsInCategory(categoryId: string | null, limit: number): Promise<CatalogItem[]> {
    await this.catalogReady();
    const out: CatalogItem[] = [];
    for (const { id } of this.index.ordered()) {
      if (out.length >= limit) break;
      const row = this.items.get(id);
      if (!row || (categoryId !== null && row.categoryId !== categoryId) || !this.sellable(id)) continue;
      out.push(this.toItem(row));
    }
    return out;
  }

  async favourites(): Promise<CatalogItem[]> {
    await this.catalogReady();
    const LIMIT = 24;
    const recent = await this.db.outbox.orderBy('hlc').reverse().limit(300).toArray();
    const counts = new Map<string, number>();
    for (const s of recent)
      for (const l of s.priced.lines) counts.set(l.variantId, (counts.get(l.variantId) ?? 0) + 1);
    const ids = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    const out: CatalogItem[] = [];
    for (const id of ids) {
      const row = this.items.get(id);
      if (row && this.sellable(id)) out.push(this.toItem(row));
      if (out.length >= LIMIT) return out;
    }
    const first = [...this.categoryRows].sort((a, b) => a.sort - b.sort)[0];
    for (const item of await this.itemsInCategory(first?.id ?? null, LIMIT)) {
      if (out.length >= LIMIT) break;
      if (!out.some((o) => o.variantId === item.variantId)) out.push(item);
    }
    return out;
  }

  async search(query: string, limit: number): Promise<CatalogItem[]> {
    await this.catalogReady();
    const out: CatalogItem[] = [];
    for (const id of this.index.search(query, limit, this.sellable)) {
      const row = this.items.get(id);
      if (row) out.push(this.toItem(row));
    }
    return out;
  }

  async itemsByIds(variantIds: string[]): Promise<CatalogItem[]> {
    await this.catalogReady();
    const out: CatalogItem[] = [];
    for (const id of variantIds) {
      const row = this.items.get(id);
      if (row && this.sellable(id)) out.push(this.toItem(row));
    }
    return out;
  }

  async scan(code: string): Promise<TillResult<ScanResult>> {
    await this.catalogReady();
    return this.scanNow(code);
  }

  /** Synchronous lookup once the catalog is in memory (kept separate for the benchmark). */
  scanNow(code: string): TillResult<ScanResult> {
    const text = code.trim();
    const rules = this.currentStore()?.embeddedBarcodes ?? [];
    const parsed = parseBarcode(text, rules);
    let result: ScanResult | undefined;
    if (parsed.ok && parsed.value.kind === 'embedded') {
      const e = parsed.value;
      const id = this.index.byPlu(e.itemCode);
      const row = id ? this.items.get(id) : undefined;
      if (row) {
        result = {
          kind: 'embedded',
          item: this.toItem(row),
          ...(e.priceMinor !== undefined ? { priceMinor: e.priceMinor } : {}),
          ...(e.weightMilli !== undefined ? { quantity: e.weightMilli / 1000 } : {}),
        };
      }
    } else {
      const id = this.index.byCode(text) ?? this.index.bySku(text);
      const row = id ? this.items.get(id) : undefined;
      if (row) result = { kind: 'item', item: this.toItem(row) };
    }
    if (!result) return fail('unknown_barcode', `No product has the code ${text}.`, { code: text });
    if (result.item.price === null && !(result.kind === 'embedded' && result.priceMinor !== undefined)) {
      return fail('no_price', `${result.item.name} is not sold in this store.`, { code: text });
    }
    return ok(result);
  }

  // selling

  price(cart: Cart, at: string = new Date().toISOString()): TillResult<PricedCart> {
    const store = this.currentStore();
    if (!store) return fail('no_session', 'Choose a register first.');
    return priceInStore(
      cart,
      store,
      taxClassesFor(store, this.taxRows),
      (id) => (this.items.has(id) ? this.priceHere(id) : undefined),
      { promotions: this.promotionRows, at },
    );
  }

  promotionHints(cart: Cart, at: string = new Date().toISOString()): CartHint[] {
    const store = this.currentStore();
    if (!store || cart.lines.length === 0 || this.promotionRows.length === 0) return [];
    const inCart = cart.lines.flatMap((l) => {
      const row = this.items.get(l.item.variantId);
      const hint = row ? this.hintItem(row, store.id) : undefined;
      return hint ? [hint] : [];
    });
    const hints = hintsInStore(
      cart,
      store,
      taxClassesFor(store, this.taxRows),
      (id) => (this.items.has(id) ? this.priceHere(id) : undefined),
      { promotions: this.promotionRows, at },
      [...inCart, ...this.hintCandidates(store.id)],
    );
    return hints.flatMap((h) => {
      const row = this.items.get(h.add.variantId);
      return row ? [{ ...h, item: this.toItem(row) }] : [];
    });
  }

  private hintItem(row: ItemRow, storeId: string): HintItem | undefined {
    const price = row.prices[storeId];
    if (price === undefined || row.unit !== 'each') return undefined;
    return {
      variantId: row.variantId,
      productId: row.productId,
      categoryId: row.categoryId,
      name: row.name,
      unitPrice: price,
      taxClassId: row.taxClassId,
    };
  }

  /**
   * Items the active promotions name, sold in the store: every variant a selector lists, and the
   * cheapest few of each category or product a selector names. Rebuilt only when the promotions,
   * the catalog or the store change.
   */
  private hintCandidates(storeId: string): HintItem[] {
    const cached = this.hintPool;
    if (
      cached?.promotions === this.promotionRows &&
      cached.catalog === this.catalogVersion &&
      cached.storeId === storeId
    ) {
      return cached.items;
    }
    const out = new Map<string, HintItem>();
    const broad: { selector: LineSelector; cheapest: HintItem[] }[] = [];
    for (const selector of this.promotionRows.flatMap(promotionSelectors)) {
      if (!selector) continue; // "any item": the cart's own items are offered
      if (selector.variantIds?.length) {
        for (const id of selector.variantIds) {
          const row = this.items.get(id);
          const hint = row ? this.hintItem(row, storeId) : undefined;
          if (hint && hintItemMatches(selector, hint)) out.set(id, hint);
        }
      } else if (selector.productIds?.length || selector.categoryIds?.length) {
        broad.push({ selector, cheapest: [] });
      }
    }
    if (broad.length > 0) {
      for (const row of this.items.values()) {
        const hint = this.hintItem(row, storeId);
        if (!hint) continue;
        for (const b of broad) {
          if (!hintItemMatches(b.selector, hint)) continue;
          b.cheapest.push(hint);
          b.cheapest.sort((x, y) => x.unitPrice - y.unitPrice || (x.variantId < y.variantId ? -1 : 1));
          if (b.cheapest.length > HINT_ITEMS_PER_SELECTOR) b.cheapest.pop();
        }
      }
      for (const b of broad) for (const hint of b.cheapest) out.set(hint.variantId, hint);
    }
    const items = [...out.values()];
    this.hintPool = { promotions: this.promotionRows, catalog: this.catalogVersion, storeId, items };
    return items;
  }

  async completeSale(
    cart: Cart,
    tenders: TenderEntry[],
    /** approvalIds: a manager's approvals for the sale's hand-made changes (x-approval-id) */
    extra: { tip?: number; orderId?: string; approvalIds?: readonly string[] } = {},
  ): Promise<TillResult<LocalSale>> {
    await this.start();
    const store = this.currentStore();
    const register = this.currentRegister();
    const sess = this.sess;
    if (!sess || !store || !register) return fail('no_session', 'Sign in and choose a register first.');
    const now = Date.now();
    const orderId = extra.orderId ?? newId('ord', now);
    const createdAt = new Date(now).toISOString();
    // priced at the sale's own instant: the server reads time windows at `createdAt` too
    const priced = this.price(cart, createdAt);
    if (!priced.ok) return priced;
    const online = this.state.online && navigator.onLine;
    // a typed price or a manual discount: online the server decides now (and may ask for a
    // manager: approval_required); offline only what no manager would have to approve
    const manual =
      cart.orderDiscounts.length > 0 || cart.lines.some((l) => l.unitPrice !== undefined || l.discount);
    if (manual && !online) {
      const policy = await getMeta<OfflineApprovalPolicy>(this.db, META.approvalPolicy);
      if (offlineNeedsManager(cart, policy))
        return fail('needs_manager_online', 'A manager must approve this, which needs the network.');
    }
    const taken = offlineTenders(tenders, online, register);
    if (!taken.ok) return taken;
    const tip = extra.tip ?? 0;
    const settled = settle(priced.value, taken.value.tenders, store, tip);
    if (!settled.ok) return settled;
    const body = orderBody({
      orderId,
      store,
      registerId: register.id,
      cart,
      tenders: taken.value.tenders,
      total: priced.value.total,
      createdAt,
      ...(tip ? { tip } : {}),
      offline: !(this.state.online && navigator.onLine),
      receiptToken: receiptToken(),
    });
    if (!body.ok) return body;
    // gift card, store credit, wallet, a card on the terminal: the server decides now; a decline
    // is returned (nothing kept) so the cashier can take another tender
    const authorize = needsAuthorization(taken.value.tenders) || (manual && online);
    if (authorize) {
      const sent = await api('POST', '/orders', body.value, {
        'idempotency-key': idempotencyKeyFor(orderId),
        ...(extra.approvalIds?.length ? { 'x-approval-id': extra.approvalIds.join(',') } : {}),
      });
      if (!sent.ok) {
        return fail(
          sent.error.status === 0 ? 'needs_network' : sent.error.code,
          sent.error.message,
          sent.error.details,
        );
      }
    }
    // the PIN and a gift card's or credit note's code (bearer secrets) went to the server once;
    // the device keeps neither (those sales are already on the server: never sent again)
    const kept = taken.value.tenders.map((t) => forDevice(t) as unknown as TenderEntry);
    const storedBody = {
      ...body.value,
      tenders: (body.value.tenders as Record<string, unknown>[]).map(forDevice),
    };
    const row: OutboxRow = {
      orderId,
      hlc: '',
      createdAt,
      storeId: store.id,
      registerId: register.id,
      staffId: sess.staff.id,
      priced: priced.value,
      tenders: kept,
      change: settled.value.change,
      cashRounding: settled.value.cashRounding,
      ...(tip ? { tip } : {}),
      body: storedBody,
      idempotencyKey: idempotencyKeyFor(orderId),
      status: authorize ? 'synced' : 'pending',
      ...(authorize ? { syncedAt: createdAt } : {}),
      token: sess.token,
      attempts: 0,
      ...(taken.value.offlineCard ? { offlineCard: true } : {}),
    };
    // the device clock and the sale in one transaction: stamps stay unique across tabs
    await this.db.transaction('rw', this.db.meta, this.db.outbox, async () => {
      const last = await getMeta<string>(this.db, META.hlc);
      const prev: Hlc = (last ? unpackHlc(last) : undefined) ?? hlcInit(this.deviceId);
      const next = tick({ ...prev, node: this.deviceId }, Date.now());
      row.hlc = packHlc(next);
      await setMeta(this.db, META.hlc, row.hlc);
      await this.db.outbox.add(row);
    });
    if (!authorize) this.outboxChanged({ unsynced: 1 });
    this.channel?.postMessage({ type: 'sale', orderId });
    this.nudge();
    return ok(publicSale(row));
  }

  async readCardOffline(amount: number): Promise<TillResult<OfflineCardRead>> {
    await this.start();
    const store = this.currentStore();
    const register = this.currentRegister();
    if (!store || !register) return fail('no_session', 'Sign in and choose a register first.');
    return this.terminal.readOffline({ terminalId: register.id, amount, currency: store.currency });
  }

  async recentSales(limit: number): Promise<LocalSale[]> {
    await this.start();
    return (await this.db.outbox.orderBy('hlc').reverse().limit(limit).toArray()).map(publicSale);
  }

  /** Rejected sales, oldest first, for a manager to review. */
  async rejectedSales(): Promise<LocalSale[]> {
    await this.start();
    return (await this.db.outbox.where('status').equals('rejected').sortBy('hlc')).map(publicSale);
  }

  async park(cart: Cart, note: string): Promise<ParkedTicket> {
    await this.start();
    const ticket: ParkedTicket = { id: newId('park'), cart, note, parkedAt: new Date().toISOString() };
    await this.db.parked.put(ticket);
    return ticket;
  }

  async parked(): Promise<ParkedTicket[]> {
    await this.start();
    return this.db.parked.orderBy('parkedAt').toArray();
  }

  async resume(id: string): Promise<TillResult<Cart>> {
    await this.start();
    const ticket = await this.db.transaction('rw', this.db.parked, async () => {
      const t = await this.db.parked.get(id);
      if (t) await this.db.parked.delete(id);
      return t;
    });
    return ticket
      ? ok(ticket.cart)
      : fail('unknown_ticket', 'That parked ticket is gone (resumed elsewhere?).');
  }

  // outbox pusher: one leader tab per device

  private electLeader(): void {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks) {
      // no Web Locks (insecure context): push anyway; idempotency keys keep it exactly-once
      void this.lead(this.generation);
      return;
    }
    this.lockAbort = new AbortController();
    locks
      .request(LOCK_NAME, { signal: this.lockAbort.signal }, () => {
        if (this.stopped) return undefined;
        return new Promise<void>((release) => {
          this.releaseLock = release;
          void this.lead(this.generation);
        });
      })
      .catch(() => undefined);
  }

  private async lead(generation: number): Promise<void> {
    this.update({ leader: true });
    while (!this.stopped && generation === this.generation) {
      const wait = await this.pushOnce().catch((e: unknown) => {
        this.update({ lastError: e instanceof Error ? e.message : String(e) });
        return (this.backoff = nextBackoff(this.backoff));
      });
      await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.kicked) {
      this.kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        this.kicked = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Wakes the pusher now (the network came back, a new sign-in). */
  private kick(): void {
    if (this.wake) this.wake();
    else this.kicked = true;
  }

  /**
   * Wakes the pusher for a new sale, unless it is backing off after a failure or the browser is
   * offline: then the sale waits for the backoff or the `online` event (no request per sale).
   */
  private nudge(): void {
    if (this.backoff > 0 || !navigator.onLine) return;
    this.kick();
  }

  /**
   * Pushes pending sales, starting requests in HLC order with up to PUSH_CONCURRENCY in flight
   * (each sale its own request and Idempotency-Key, so the server keeps each once whatever the
   * arrival order). Outcomes are written back in batches: one IndexedDB transaction per batch.
   * Returns how long to wait before the next round.
   */
  private async pushOnce(): Promise<number> {
    if (!navigator.onLine) return IDLE_SCAN_MS;
    // the terminal's offline reads go to the server with (or before) the sales that name them
    if (getToken()) await this.terminal.handOver();
    const pending = await this.db.outbox
      .where('[status+hlc]')
      .between(['pending', Dexie.minKey], ['pending', Dexie.maxKey])
      .limit(PUSH_PAGE)
      .toArray();
    if (pending.length === 0) {
      this.backoff = 0;
      return IDLE_SCAN_MS;
    }
    if (!getToken() && !pending.some((p) => p.token)) return IDLE_SCAN_MS;

    const writes = new OutcomeWriter((w) => this.applyOutcomes(w));
    let next = 0;
    /** set by the first retry/auth outcome: no new requests start after it */
    let halt: { kind: 'retry' | 'auth'; reason: string } | null = null;
    const worker = async () => {
      while (!halt && !this.stopped && next < pending.length) {
        const sale = pending[next++];
        if (!sale) break;
        const outcome = await this.pushSale(sale);
        if (outcome.kind === 'synced') writes.add({ sale, kind: 'synced' });
        else if (outcome.kind === 'rejected') writes.add({ sale, kind: 'rejected', outcome });
        else {
          if (outcome.kind === 'retry') writes.add({ sale, kind: 'attempt' });
          halt ??= outcome;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, pending.length) }, worker));
    await writes.flush();

    if (this.stopped) return 0;
    const stopped = halt as { kind: 'retry' | 'auth'; reason: string } | null;
    if (stopped?.kind === 'auth') {
      this.update({ lastError: stopped.reason });
      return IDLE_SCAN_MS;
    }
    if (stopped?.kind === 'retry') {
      this.backoff = nextBackoff(this.backoff);
      this.update({ lastError: stopped.reason });
      return this.backoff;
    }
    return 0;
  }

  /** One sale to POST /orders, under its own token first, then the current one on a 401. */
  private async pushSale(sale: OutboxRow): Promise<PushOutcome> {
    const tokens = [...new Set([sale.token, getToken()].filter((t): t is string => !!t))];
    let outcome: PushOutcome = { kind: 'auth', reason: 'Sign in to send sales.' };
    for (const token of tokens) {
      const r = await this.call<unknown>('POST', '/orders', sale.body, {
        authorization: `Bearer ${token}`,
        'idempotency-key': sale.idempotencyKey,
      });
      outcome = r.ok ? classifyPush(200) : classifyPush(r.error.status, r.error);
      if (outcome.kind !== 'auth') break;
    }
    return outcome;
  }

  /** Writes a batch of push outcomes in one transaction, then moves the badge. */
  private async applyOutcomes(batch: readonly PushWrite[]): Promise<void> {
    const at = new Date().toISOString();
    let synced = 0;
    let rejected = 0;
    let lastError: string | null | undefined;
    // the leader is the only writer of pending rows (other tabs only add new ones), so the rows
    // read for this round are current: put them back whole, no read-modify-write per row
    const rows: OutboxRow[] = batch.map((w) => {
      if (w.kind === 'synced') {
        synced += 1;
        return { ...w.sale, status: 'synced', syncedAt: at };
      }
      if (w.kind === 'rejected') {
        rejected += 1;
        lastError = w.outcome.message;
        return {
          ...w.sale,
          status: 'rejected',
          rejection: { code: w.outcome.code, message: w.outcome.message },
        };
      }
      return { ...w.sale, attempts: (w.sale.attempts ?? 0) + 1 };
    });
    await this.db.transaction('rw', this.db.outbox, this.db.meta, async () => {
      await this.db.outbox.bulkPut(rows);
      if (synced > 0) await setMeta(this.db, META.lastSyncAt, at);
    });
    this.outboxChanged({ unsynced: -(synced + rejected), rejected });
    if (synced > 0) {
      this.backoff = 0;
      this.update({ lastSyncAt: at, lastError: lastError ?? null });
    } else if (lastError !== undefined) {
      this.update({ lastError });
    }
    if (synced + rejected > 0) this.channel?.postMessage({ type: 'synced' });
  }

  private async pruneSynced(): Promise<void> {
    const before = new Date(Date.now() - KEEP_SYNCED_MS).toISOString();
    await this.db.outbox
      .where('status')
      .equals('synced')
      .and((s) => s.createdAt < before)
      .delete();
  }
}

type PushWrite =
  | { sale: OutboxRow; kind: 'synced' }
  | { sale: OutboxRow; kind: 'rejected'; outcome: { code: string; message: string } }
  | { sale: OutboxRow; kind: 'attempt' };

/**
 * Collects push outcomes and writes them in batches: while one batch is being written, the
 * next outcomes queue up and go together in the following transaction.
 */
class OutcomeWriter {
  private queue: PushWrite[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly write: (batch: readonly PushWrite[]) => Promise<void>) {}

  add(w: PushWrite): void {
    this.queue.push(w);
    if (this.queue.length === 1) this.writing = this.writing.then(() => this.drain());
  }

  private async drain(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) await this.write(batch);
  }

  async flush(): Promise<void> {
    await this.writing;
    if (this.queue.length > 0) await this.drain();
  }
}

export type TillEngineHandle = TillEngine;

let instance: TillEngine | null = null;

/** The page's till (one per page); also exposed as `window.__opentill` for tests and benchmarks. */
export function createTill(): Till {
  if (!instance) {
    instance = new TillEngine();
    (window as unknown as { __opentill?: unknown }).__opentill = {
      till: instance,
      db: instance.db,
      terminal: instance.terminal,
    };
  }
  return instance;
}
