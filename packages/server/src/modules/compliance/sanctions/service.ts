import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Deps } from '../../../deps';
import type { FieldCipher } from '../../../lib/field-cipher';
import { sha256Hex } from '../../../lib/secrets';
import { fail, type Result } from '../../../http/errors';
import { auditQuery } from '../../audit/audit';
import type { AuthContext } from '../../auth/service';
import { readSettings } from '../settings';
import { parseOfacSdn, parseUnConsolidated, type ListedParty, type ListSource } from './formats';
import { ScreeningIndex, type ScreeningQuery } from './screen-index';

/**
 * Sanctions lists and screening. Lists are public reference data shared by the installation
 * (one copy, every version kept with its date and checksum); screenings belong to a tenant and
 * keep the screened name only through FieldCipher. A potential match holds the party until a
 * compliance officer confirms or clears it, with a reason; both land in the audit log with the
 * score and the list versions.
 */
export interface ListVersionView {
  id: string;
  source: ListSource;
  publishedOn: string | null;
  importedAt: string;
  entryCount: number;
  origin: string;
  sha256: string;
  active: boolean;
}

export interface ScreeningView {
  id: string;
  subjectType: 'customer' | 'sale' | 'manual';
  subjectId: string | null;
  /** the screened name (null when its key is gone) */
  name: string | null;
  status: 'clear' | 'potential_match' | 'confirmed' | 'cleared';
  threshold: number;
  topScore: number;
  matches: {
    source: ListSource;
    externalId: string;
    kind: string;
    listedName: string;
    matchedName: string;
    score: number;
    programs: string[];
    dobMatch: boolean | null;
    countryMatch: boolean | null;
  }[];
  listVersions: string[];
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  createdAt: string;
}

/** A party to screen: what the customers module passes at creation and change. */
export interface PartyToScreen {
  name: string;
  aliases?: string[];
  dob?: string | null;
  country?: string | null;
}

async function readLocation(location: string): Promise<string | null> {
  if (/^https?:\/\//i.test(location)) {
    const res = await fetch(location);
    if (!res.ok) throw new Error(`${location}: HTTP ${res.status}`);
    return res.text();
  }
  try {
    return await readFile(location, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
}

export function createSanctionsService(deps: Deps, options: { cipher: FieldCipher }) {
  const { database, clock, ids, log } = deps;
  const db = database.db;
  const { cipher } = options;
  let cached: { key: string; index: ScreeningIndex; versions: string[] } | null = null;

  async function activeIndex(): Promise<{ index: ScreeningIndex; versions: string[] }> {
    const versions = await db
      .selectFrom('sanctions_list_versions')
      .select('id')
      .where('active', '=', 1)
      .orderBy('id')
      .execute();
    const key = versions.map((v) => v.id).join(',');
    if (cached?.key === key) return cached;
    const parties: ListedParty[] = [];
    for (const v of versions) {
      const rows = await db
        .selectFrom('sanctions_entries')
        .select(['party'])
        .where('version_id', '=', v.id)
        .execute();
      for (const r of rows) parties.push(JSON.parse(r.party) as ListedParty);
    }
    cached = { key, index: new ScreeningIndex(parties), versions: versions.map((v) => v.id) };
    return cached;
  }

  async function importParsed(
    source: ListSource,
    parties: ListedParty[],
    checksum: string,
    origin: string,
    publishedOn: string | null,
  ): Promise<{ version: ListVersionView; unchanged: boolean }> {
    const now = clock.now().toISOString();
    const current = await db
      .selectFrom('sanctions_list_versions')
      .selectAll()
      .where('source', '=', source)
      .where('active', '=', 1)
      .executeTakeFirst();
    if (current && current.sha256 === checksum) return { version: versionView(current), unchanged: true };
    const id = ids.newId('sl');
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sanctions_list_versions')
        .values({
          id,
          source,
          published_on: publishedOn,
          imported_at: now,
          sha256: checksum,
          entry_count: parties.length,
          origin,
          active: 0,
        })
        .execute();
      const seen = new Set<string>();
      const rows = parties
        .filter((p) => !seen.has(p.externalId) && seen.add(p.externalId))
        .map((p) => ({ version_id: id, external_id: p.externalId, kind: p.kind, party: JSON.stringify(p) }));
      for (let i = 0; i < rows.length; i += 200)
        await trx
          .insertInto('sanctions_entries')
          .values(rows.slice(i, i + 200))
          .execute();
      // the new version replaces the old one in one step; old versions stay for the record
      await trx
        .updateTable('sanctions_list_versions')
        .set({ active: 0 })
        .where('source', '=', source)
        .where('active', '=', 1)
        .execute();
      await trx.updateTable('sanctions_list_versions').set({ active: 1 }).where('id', '=', id).execute();
    });
    const row = await db
      .selectFrom('sanctions_list_versions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { version: versionView(row), unchanged: false };
  }

  function versionView(r: {
    id: string;
    source: ListSource;
    published_on: string | null;
    imported_at: string;
    entry_count: number;
    origin: string;
    sha256: string;
    active: number;
  }): ListVersionView {
    return {
      id: r.id,
      source: r.source,
      publishedOn: r.published_on,
      importedAt: r.imported_at,
      entryCount: r.entry_count,
      origin: r.origin,
      sha256: r.sha256,
      active: r.active === 1,
    };
  }

  async function toView(
    tenantId: string,
    r: Awaited<ReturnType<typeof loadScreening>>,
  ): Promise<ScreeningView> {
    const row = r!;
    let name: string | null = null;
    try {
      name = await cipher.decrypt(tenantId, row.subject_id ?? row.id, row.query_cipher);
    } catch {
      name = null;
    }
    return {
      id: row.id,
      subjectType: row.subject_type,
      subjectId: row.subject_id,
      name,
      status: row.status,
      threshold: row.threshold,
      topScore: row.top_score,
      matches: JSON.parse(row.matches) as ScreeningView['matches'],
      listVersions: JSON.parse(row.list_versions) as string[],
      decidedBy: row.decided_by,
      decidedAt: row.decided_at,
      reason: row.reason,
      createdAt: row.created_at,
    };
  }

  function loadScreening(tenantId: string, id: string) {
    return db
      .selectFrom('sanctions_screenings')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async function screen(
    tenantId: string,
    party: PartyToScreen,
    subject: { type: ScreeningView['subjectType']; id: string | null },
  ): Promise<ScreeningView> {
    const settings = await readSettings(db, tenantId);
    const { index, versions } = await activeIndex();
    const query: ScreeningQuery = {
      name: party.name,
      aliases: party.aliases,
      dob: party.dob,
      country: party.country,
    };
    const found = index.screen(query, settings.screeningThreshold);
    const id = ids.newId('scn');
    const now = clock.now().toISOString();
    const matches: ScreeningView['matches'] = found.slice(0, 20).map((m) => ({
      source: m.party.source,
      externalId: m.party.externalId,
      kind: m.party.kind,
      listedName: m.party.names[0] ?? '',
      matchedName: m.matchedName,
      score: m.score,
      programs: m.party.programs,
      dobMatch: m.dobMatch,
      countryMatch: m.countryMatch,
    }));
    const status = matches.length ? 'potential_match' : 'clear';
    const queryCipher = await cipher.encrypt(tenantId, subject.id ?? id, party.name);
    await database.batch([
      db
        .insertInto('sanctions_screenings')
        .values({
          id,
          tenant_id: tenantId,
          subject_type: subject.type,
          subject_id: subject.id,
          query_cipher: queryCipher,
          list_versions: JSON.stringify(versions),
          threshold: settings.screeningThreshold,
          top_score: matches[0]?.score ?? 0,
          matches: JSON.stringify(matches),
          status,
          decided_by: null,
          decided_at: null,
          reason: null,
          created_at: now,
        })
        .compile(),
      auditQuery(
        db,
        ids,
        {
          tenantId,
          staffId: null,
          action: 'sanctions.screen',
          entity: 'sanctions_screening',
          entityId: id,
          data: {
            subjectType: subject.type,
            subjectId: subject.id,
            status,
            topScore: matches[0]?.score ?? 0,
            listVersions: versions,
          },
        },
        now,
      ),
    ]);
    return (await toView(tenantId, await loadScreening(tenantId, id)))!;
  }

  return {
    /** Imports OFAC SDN CSV text (sdn + alt + add) or UN XML text as a new list version. */
    async importList(
      source: ListSource,
      files: { sdn?: string; alt?: string; add?: string; xml?: string },
      origin: string,
    ): Promise<Result<{ version: ListVersionView; unchanged: boolean }>> {
      if (source === 'ofac_sdn') {
        if (!files.sdn) return fail('invalid_list_file', 'The OFAC import needs sdn.csv.');
        const parsed = parseOfacSdn({
          sdn: files.sdn,
          ...(files.alt ? { alt: files.alt } : {}),
          ...(files.add ? { add: files.add } : {}),
        });
        if (!parsed.ok) return fail('invalid_list_file', parsed.error);
        const sum = sha256Hex(`${files.sdn}\u0000${files.alt ?? ''}\u0000${files.add ?? ''}`);
        return { ok: true, value: await importParsed(source, parsed.parties, sum, origin, null) };
      }
      if (!files.xml) return fail('invalid_list_file', 'The UN import needs the consolidated list XML.');
      const parsed = parseUnConsolidated(files.xml);
      if (!parsed.ok) return fail('invalid_list_file', parsed.error);
      return {
        ok: true,
        value: await importParsed(
          source,
          parsed.parties,
          sha256Hex(files.xml),
          origin,
          parsed.generatedOn ?? null,
        ),
      };
    },

    /** Reads a list from a path or URL (OFAC: the directory/base URL holding sdn.csv, alt.csv, add.csv). */
    async importFrom(source: ListSource, location: string) {
      if (source === 'ofac_sdn') {
        const base = location.replace(/\/$/, '');
        const at = (f: string) => (/^https?:/i.test(base) ? `${base}/${f}` : join(base, f));
        const [sdn, alt, add] = await Promise.all([
          readLocation(at('sdn.csv')),
          readLocation(at('alt.csv')),
          readLocation(at('add.csv')),
        ]);
        return this.importList(
          source,
          { ...(sdn ? { sdn } : {}), ...(alt ? { alt } : {}), ...(add ? { add } : {}) },
          location,
        );
      }
      const xml = await readLocation(location);
      return this.importList(source, xml ? { xml } : {}, location);
    },

    /** The scheduled re-import: every configured source of every tenant, once per location. */
    async reimportConfigured(): Promise<number> {
      const rows = await db.selectFrom('compliance_settings').select(['tenant_id']).execute();
      const done = new Set<string>();
      let imported = 0;
      for (const r of rows) {
        const settings = await readSettings(db, r.tenant_id);
        for (const [source, location] of Object.entries(settings.listSources) as [
          ListSource,
          string | undefined,
        ][]) {
          if (!location || done.has(`${source}|${location}`)) continue;
          done.add(`${source}|${location}`);
          try {
            const res = await this.importFrom(source, location);
            if (res.ok && !res.value.unchanged) imported++;
            if (!res.ok)
              log.warn({ source, location, error: res.error }, 'sanctions re-import refused the file');
          } catch (e) {
            log.warn({ err: e, source, location }, 'sanctions re-import failed');
          }
        }
      }
      return imported;
    },

    async versions(): Promise<ListVersionView[]> {
      const rows = await db
        .selectFrom('sanctions_list_versions')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(100)
        .execute();
      return rows.map(versionView);
    },

    /** Screens a party; the customers module calls this at creation and on every name change. */
    screenParty(
      tenantId: string,
      party: PartyToScreen,
      subject: { type: ScreeningView['subjectType']; id: string | null } = { type: 'manual', id: null },
    ) {
      return screen(tenantId, party, subject);
    },

    /**
     * The sale gate: a sale at or above the tenant's amount for its currency screens its named
     * party; `held` stays true until an officer clears the screening.
     */
    async screenSaleParty(
      tenantId: string,
      sale: { orderId: string; amount: number; currency: string; party: PartyToScreen },
    ): Promise<{ held: boolean; screening: ScreeningView | null }> {
      const settings = await readSettings(db, tenantId);
      const limit = settings.saleScreeningAmount[sale.currency];
      if (limit === undefined || sale.amount < limit) return { held: false, screening: null };
      const screening = await screen(tenantId, sale.party, { type: 'sale', id: sale.orderId });
      return { held: screening.status === 'potential_match', screening };
    },

    /**
     * The checkout gate for a sale with a customer. Refused while any screening of the customer
     * is a potential or confirmed match; a sale at or above the tenant's amount for its currency
     * screens the customer's name, unless this order was already screened (a retry of the same
     * sale) or an officer cleared the customer's current name against the lists active now.
     */
    async customerSaleHold(
      tenantId: string,
      sale: {
        orderId: string;
        customerId: string;
        amount: number;
        currency: string;
        /** the customer's name, read only when the sale is screened */
        name: () => Promise<string | null>;
      },
    ): Promise<Result<null>> {
      const rows = await db
        .selectFrom('sanctions_screenings')
        .select(['id', 'subject_type', 'status', 'list_versions'])
        .where('tenant_id', '=', tenantId)
        .where((eb) =>
          eb.or([
            eb.and([eb('subject_type', '=', 'customer'), eb('subject_id', '=', sale.customerId)]),
            eb.and([eb('subject_type', '=', 'sale'), eb('subject_id', '=', sale.orderId)]),
          ]),
        )
        .orderBy('id', 'desc')
        .execute();
      const held = (id: string, status: string) =>
        fail(
          'sanctions_hold',
          status === 'confirmed'
            ? 'The customer is a confirmed sanctions match; the sale cannot be made.'
            : 'The customer is a potential sanctions match; a compliance officer must clear the match before this sale.',
          { screeningId: id, status },
        );
      const open = rows.find((r) => r.status === 'potential_match' || r.status === 'confirmed');
      if (open) return held(open.id, open.status);
      if (rows.some((r) => r.subject_type === 'sale')) return { ok: true, value: null };
      const settings = await readSettings(db, tenantId);
      const limit = settings.saleScreeningAmount[sale.currency];
      if (limit === undefined || sale.amount < limit) return { ok: true, value: null };
      // ids are time-ordered, so the first customer row is the screening of the current name
      const latest = rows.find((r) => r.subject_type === 'customer');
      if (latest?.status === 'cleared') {
        const { versions } = await activeIndex();
        if (latest.list_versions === JSON.stringify(versions)) return { ok: true, value: null };
      }
      const name = await sale.name();
      if (!name) return { ok: true, value: null };
      const s = await screen(tenantId, { name }, { type: 'sale', id: sale.orderId });
      return s.status === 'potential_match' ? held(s.id, s.status) : { ok: true, value: null };
    },

    async get(tenantId: string, id: string): Promise<Result<ScreeningView>> {
      const row = await loadScreening(tenantId, id);
      if (!row) return fail('unknown_screening', `No screening ${id}.`);
      return { ok: true, value: await toView(tenantId, row) };
    },

    async list(tenantId: string, status?: ScreeningView['status']): Promise<ScreeningView[]> {
      let q = db.selectFrom('sanctions_screenings').selectAll().where('tenant_id', '=', tenantId);
      if (status) q = q.where('status', '=', status);
      const rows = await q.orderBy('id', 'desc').limit(200).execute();
      return Promise.all(rows.map((r) => toView(tenantId, r)));
    },

    /** A compliance officer confirms a true match or clears a false one, with a reason. */
    async decide(
      ctx: AuthContext,
      id: string,
      decision: 'confirm' | 'clear',
      reason: string,
    ): Promise<Result<ScreeningView>> {
      const now = clock.now().toISOString();
      const row = await loadScreening(ctx.tenantId, id);
      if (!row) return fail('unknown_screening', `No screening ${id}.`);
      if (row.status !== 'potential_match')
        return fail(
          'screening_already_decided',
          `The screening is ${row.status}; only a potential match is decided.`,
        );
      if (!reason.trim()) return fail('reason_required', 'Say why the match is confirmed or cleared.');
      const status = decision === 'confirm' ? 'confirmed' : 'cleared';
      await database.batch([
        db
          .updateTable('sanctions_screenings')
          .set({ status, decided_by: ctx.staffId, decided_at: now, reason })
          .where('tenant_id', '=', ctx.tenantId)
          .where('id', '=', id)
          .where('status', '=', 'potential_match')
          .compile(),
        auditQuery(
          db,
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: `sanctions.${decision}`,
            entity: 'sanctions_screening',
            entityId: id,
            data: {
              reason,
              topScore: row.top_score,
              listVersions: JSON.parse(row.list_versions) as unknown,
              subjectType: row.subject_type,
              subjectId: row.subject_id,
            },
          },
          now,
        ),
      ]);
      return this.get(ctx.tenantId, id);
    },
  };
}

export type SanctionsService = ReturnType<typeof createSanctionsService>;
