import { sql, SqliteAdapter, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;
  await s
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await s
    .createTable('stores')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_zh', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('address', 'text')
    .addColumn('tax_mode', 'text', (c) => c.notNull())
    .addColumn('tax_rounding', 'text', (c) => c.notNull())
    .addColumn('rounding_mode', 'text', (c) => c.notNull())
    .addColumn('cash_increment', 'integer', (c) => c.notNull())
    .addColumn('negative_stock', 'text', (c) => c.notNull())
    .addColumn('embedded_barcodes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('stores_tenant').on('stores').columns(['tenant_id']).execute();

  await s
    .createTable('registers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    // card sales allowed offline up to this amount per sale (minor units); 0 = none
    .addColumn('offline_card_limit', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('registers_tenant_store').on('registers').columns(['tenant_id', 'store_id']).execute();

  await s
    .createTable('staff')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('pin_hash', 'text')
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // usernames are unique across the whole installation: login carries no tenant
  await s.createIndex('staff_username').on('staff').columns(['username']).unique().execute();

  await s
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('register_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await s
    .createTable('tax_classes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('tax_classes_code').on('tax_classes').columns(['tenant_id', 'code']).unique().execute();

  await s
    .createTable('tax_rates')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('tax_class_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('rate_ppm', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('tax_rates_pk', ['tenant_id', 'tax_class_id', 'store_id'])
    .execute();

  await s
    .createTable('categories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_zh', 'text')
    .addColumn('parent_id', 'text')
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('categories_tenant').on('categories').columns(['tenant_id']).execute();

  await s
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_zh', 'text')
    .addColumn('category_id', 'text')
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('products_tenant').on('products').columns(['tenant_id', 'id']).execute();
  await s.createIndex('products_name').on('products').columns(['tenant_id', 'name', 'id']).execute();

  await s
    .createTable('variants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_zh', 'text')
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('tax_class_id', 'text', (c) => c.notNull())
    .addColumn('plu_code', 'text')
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('variants_product').on('variants').columns(['tenant_id', 'product_id']).execute();
  await s.createIndex('variants_sku').on('variants').columns(['tenant_id', 'sku']).unique().execute();
  await s.createIndex('variants_plu').on('variants').columns(['tenant_id', 'plu_code']).execute();
  await s.createIndex('variants_updated').on('variants').columns(['tenant_id', 'updated_at']).execute();
  await createVariantSearchIndex(db);

  await s
    .createTable('barcodes')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('barcodes_pk', ['tenant_id', 'code'])
    .execute();
  await s.createIndex('barcodes_variant').on('barcodes').columns(['tenant_id', 'variant_id']).execute();

  await s
    .createTable('prices')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('price', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('prices_pk', ['tenant_id', 'variant_id', 'store_id'])
    .execute();

  await s
    .createTable('stock_levels')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('on_hand_milli', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('stock_levels_pk', ['tenant_id', 'store_id', 'variant_id'])
    .execute();

  await s
    .createTable('stock_movements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('qty_milli', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('ref_id', 'text')
    .addColumn('staff_id', 'text')
    .addColumn('went_negative', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('stock_movements_variant')
    .on('stock_movements')
    .columns(['tenant_id', 'store_id', 'variant_id'])
    .execute();

  await s
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('register_id', 'text', (c) => c.notNull())
    .addColumn('cash_session_id', 'text')
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('subtotal', 'bigint', (c) => c.notNull())
    .addColumn('discount_total', 'bigint', (c) => c.notNull())
    .addColumn('tax_total', 'bigint', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('cash_rounding', 'bigint', (c) => c.notNull())
    .addColumn('change_given', 'bigint', (c) => c.notNull())
    .addColumn('refunded_total', 'bigint', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('stock_flagged', 'integer', (c) => c.notNull())
    .addColumn('client_created_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('orders_store_time')
    .on('orders')
    .columns(['tenant_id', 'store_id', 'created_at'])
    .execute();
  await s.createIndex('orders_session').on('orders').columns(['tenant_id', 'cash_session_id']).execute();

  await s
    .createTable('order_lines')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_zh', 'text')
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('quantity_milli', 'bigint', (c) => c.notNull())
    .addColumn('unit_price', 'bigint', (c) => c.notNull())
    .addColumn('gross', 'bigint', (c) => c.notNull())
    .addColumn('line_discount', 'bigint', (c) => c.notNull())
    .addColumn('order_discount', 'bigint', (c) => c.notNull())
    .addColumn('net', 'bigint', (c) => c.notNull())
    .addColumn('tax', 'bigint', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('tax_class_id', 'text', (c) => c.notNull())
    .addColumn('rate_ppm', 'integer', (c) => c.notNull())
    .addColumn('discount', 'text')
    .addPrimaryKeyConstraint('order_lines_pk', ['order_id', 'line_no'])
    .execute();

  await s
    .createTable('payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('tendered', 'bigint', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('payments_order').on('payments').columns(['tenant_id', 'order_id']).execute();

  await s
    .createTable('refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('register_id', 'text')
    .addColumn('cash_session_id', 'text')
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('refunds_order').on('refunds').columns(['tenant_id', 'order_id']).execute();
  await s.createIndex('refunds_session').on('refunds').columns(['tenant_id', 'cash_session_id']).execute();

  await s
    .createTable('refund_lines')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('refund_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('quantity_milli', 'bigint', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('restock', 'integer', (c) => c.notNull())
    .execute();
  await s.createIndex('refund_lines_order').on('refund_lines').columns(['tenant_id', 'order_id']).execute();

  await s
    .createTable('refund_tenders')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('refund_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createIndex('refund_tenders_order')
    .on('refund_tenders')
    .columns(['tenant_id', 'order_id'])
    .execute();

  await s
    .createTable('cash_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('register_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('opening_float', 'bigint', (c) => c.notNull())
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('closed_by', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('z_report', 'text')
    .execute();
  await s
    .createIndex('cash_sessions_register')
    .on('cash_sessions')
    .columns(['tenant_id', 'register_id', 'status'])
    .execute();
  // At most one open cash session per register, enforced by the database on both engines.
  await sql`create unique index cash_sessions_one_open on cash_sessions (tenant_id, register_id) where status = 'open'`.execute(
    db,
  );

  await s
    .createTable('cash_movements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('cash_session_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('cash_movements_session')
    .on('cash_movements')
    .columns(['tenant_id', 'cash_session_id'])
    .execute();

  await s
    .createTable('idempotency_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'scope', 'key'])
    .execute();

  await s
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .execute();

  await s
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('audit_log_tenant').on('audit_log').columns(['tenant_id', 'id']).execute();
}

/**
 * Substring search over `variants.search_text` (catalog module): `variant_grams` (tenant_id,
 * gram, variant_id) holds every distinct 1-, 2- and 3-character substring of the text, kept in
 * step by triggers so every writer (the seed included) maintains it. Its primary key walks the
 * variants holding a gram in variant-ID order: a needle of up to 3 characters is one gram, a
 * longer one is checked along the postings of its rarest trigram. Same rows on both engines.
 */
async function createVariantSearchIndex(db: AnyDb): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    // SQLite triggers cannot use CTEs: a table of positions 1..4096 splits the text (search text
    // is bounded well below that: names of 200 characters, a SKU and at most 20 barcodes).
    await sql`create table search_positions (n integer primary key)`.execute(db);
    await sql`insert into search_positions (n) with recursive s(n) as (select 1 union all
      select n + 1 from s where n < 4096) select n from s`.execute(db);
    await sql`create table variant_grams (tenant_id text not null, gram text not null,
      variant_id text not null, primary key (tenant_id, gram, variant_id)) without rowid`.execute(db);
    const grams = (row: 'new' | 'old') =>
      `select distinct ${row}.tenant_id as tenant_id, substr(${row}.search_text, n, k) as gram,
        ${row}.id as variant_id from search_positions, (select 1 as k union all select 2 union all select 3) sizes
        where n <= length(${row}.search_text) - k + 1`;
    const drop = `delete from variant_grams where tenant_id = old.tenant_id and variant_id = old.id
      and gram in (select gram from (${grams('old')}));`;
    const add = `insert or ignore into variant_grams (tenant_id, gram, variant_id) ${grams('new')};`;
    await sql.raw(`create trigger variant_grams_ai after insert on variants begin ${add} end`).execute(db);
    await sql.raw(`create trigger variant_grams_ad after delete on variants begin ${drop} end`).execute(db);
    await sql
      .raw(`create trigger variant_grams_au after update of search_text on variants begin ${drop} ${add} end`)
      .execute(db);
    return;
  }
  await sql`create table variant_grams (tenant_id text not null, gram text collate "C" not null,
    variant_id text not null, primary key (tenant_id, gram, variant_id))`.execute(db);
  // Statement-level triggers with transition tables: a bulk insert splits all its rows at once.
  // (A branch may name only the transition tables its trigger declares.)
  const split = (rows: string, where: string) =>
    `select distinct r.tenant_id, substr(r.search_text, i, k) as gram, r.id
     from ${rows} r cross join (values (1), (2), (3)) sizes (k)
     cross join lateral generate_series(1, length(r.search_text) - k + 1) i ${where}`;
  const drop = (where: string) =>
    `delete from variant_grams g using (${split('old_rows', where)}) d
     where g.tenant_id = d.tenant_id and g.gram = d.gram and g.variant_id = d.id;`;
  const add = (where: string) =>
    `insert into variant_grams (tenant_id, gram, variant_id) ${split('new_rows', where)}
     on conflict do nothing;`;
  const changed = (other: string) =>
    `where not exists (select 1 from ${other} x where x.id = r.id and x.search_text = r.search_text)`;
  await sql
    .raw(
      `create function variant_grams_sync() returns trigger language plpgsql as $fn$
    begin
      if tg_op = 'INSERT' then ${add('')}
      elsif tg_op = 'DELETE' then ${drop('')}
      else ${drop(changed('new_rows'))} ${add(changed('old_rows'))}
      end if;
      return null;
    end $fn$`,
    )
    .execute(db);
  await sql`create trigger variant_grams_ai after insert on variants referencing new table as new_rows
    for each statement execute function variant_grams_sync()`.execute(db);
  await sql`create trigger variant_grams_ad after delete on variants referencing old table as old_rows
    for each statement execute function variant_grams_sync()`.execute(db);
  await sql`create trigger variant_grams_au after update on variants
    referencing old table as old_rows new table as new_rows
    for each statement execute function variant_grams_sync()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('OpenTill migrations are forward-only');
}
