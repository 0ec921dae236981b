import { z } from 'zod';
import type { Area } from '../../domain/area.js';
import type { StaffMember } from '../../domain/team.js';
import { cleanInput } from '../../domain/text.js';
import type { AreaStore, AuditLog, Clock } from '../ports.js';
import { type FieldErrors, type Problem, slugFor } from '../forms.js';
import type { AreaService } from './service.js';
import { parseCsv } from './csv.js';

export interface CommuneView {
  commune: Area;
  hamlets: Area[];
  /** Other communes whose name (or old name, or hamlet) reads the same without diacritics. */
  confusable: { name: string; with: string[] }[];
}

/** One commune as the form or a CSV row gives it. */
export interface CommuneInput {
  id?: string;
  name: string;
  oldNames: string[];
  hamlets: string[];
}

const list = (s: string) => s.split(/[;\n|]/).map((x) => cleanInput(x)).filter(Boolean);
const name = z.string().transform((s) => cleanInput(s)).pipe(z.string().min(2, 'name').max(80, 'name'));
const commune = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'id').optional(),
  name,
  oldNames: z.array(z.string().max(80, 'oldNames')).max(50, 'oldNames'),
  hamlets: z.array(name).max(200, 'hamlets'),
});

/** Why a commune is not this commander's to see or change. */
export type AreaRefusal = 'unknown' | 'not_yours';

/** A commander of some communes keeps only their communes' names and hamlets; the unit's list (new communes, a whole file) is for a commander of the whole unit. */
const wholeUnit = (by: StaffMember) => by.communes.length === 0;
const mayChange = (by: StaffMember, communeId: string) => wholeUnit(by) || by.communes.includes(communeId);
const actor = (by: StaffMember) => `staff:${by.id}`;

/** The columns a CSV must have (Vietnamese or English headers), lists inside a cell split by ";". */
const COLUMNS = { id: ['ma', 'id', 'ma_xa'], name: ['ten', 'name', 'ten_xa'], oldNames: ['ten_cu', 'old_names'], hamlets: ['ap', 'hamlets', 'ap_khu_pho'] } as const;

/**
 * The unit's communes and hamlets, edited in the console and imported from CSV. Whatever is
 * saved is checked whole first: a bad row names its line and nothing is written. The bot's
 * matcher reads the new names at once.
 */
export class AreaAdmin {
  constructor(
    private readonly store: AreaStore,
    private readonly areas: AreaService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    /** Tells the other processes (bot replicas, workers) to read the areas again. */
    private readonly changed: (by: string) => Promise<void>,
  ) {}

  /** The communes this commander keeps (every one, for the whole unit). */
  async list(by: StaffMember): Promise<CommuneView[]> {
    const [communes, hamlets] = await Promise.all([this.store.communes(), this.store.hamlets()]);
    const flags = this.areas.confusable();
    return communes
      .filter((c) => mayChange(by, c.id))
      .sort((a, b) => a.name.localeCompare(b.name, 'vi'))
      .map((c) => ({
        commune: c,
        hamlets: hamlets.filter((h) => h.parentId === c.id),
        confusable: flags
          .filter((f) => f.areas.some((a) => a.id === c.id))
          .map((f) => ({ name: f.names.join(' / '), with: f.areas.filter((a) => a.id !== c.id).map((a) => a.name) })),
      }));
  }

  async one(id: string, by: StaffMember): Promise<CommuneView | AreaRefusal> {
    if (!mayChange(by, id)) return (await this.store.communes()).some((c) => c.id === id) ? 'not_yours' : 'unknown';
    return (await this.list(by)).find((v) => v.commune.id === id) ?? 'unknown';
  }

  /** The commune form: name, old names and hamlets one a line; no id: a new commune. */
  async saveCommune(id: string | undefined, form: { name: string; oldNames: string; hamlets: string }, by: StaffMember): Promise<{ ok: true; id: string } | { ok: false; errors: FieldErrors }> {
    if (id === undefined ? !wholeUnit(by) : !mayChange(by, id)) {
      await this.refused(by, id ?? null);
      return { ok: false, errors: { form: { key: id === undefined ? 'scope:area.new' : 'scope:area.not_yours' } } };
    }
    const r = commune.safeParse({ id, name: form.name, oldNames: list(form.oldNames), hamlets: list(form.hamlets) });
    if (!r.success) {
      const errors: FieldErrors = {};
      for (const i of r.error.issues) errors[String(i.path[0])] ??= { key: `admin:areas.error.${String(i.path[0])}` };
      return { ok: false, errors };
    }
    const taken = (await this.store.communes()).find((c) => c.id !== id && c.name.toLowerCase() === r.data.name.toLowerCase());
    if (taken) return { ok: false, errors: { name: { key: 'admin:areas.error.exists' } } };
    const saved = await this.write([r.data], by);
    return { ok: true, id: saved[0]! };
  }

  /** Kept in the audit log, as a team's are: a change beyond this commander's communes (an old page, a forged form). */
  private refused(by: StaffMember, communeId: string | null): Promise<void> {
    return this.audit.record(actor(by), 'scope_refused', communeId === null ? 'areas' : `area:${communeId}`, this.clock.now());
  }

  /** A CSV with a header row (ma, ten, ten_cu, ap): every row is checked before any is saved. */
  async importCsv(text: string, by: StaffMember): Promise<{ ok: true; count: number } | { ok: false; problem: Problem }> {
    if (!wholeUnit(by)) {
      await this.refused(by, null);
      return { ok: false, problem: { key: 'scope:area.import' } };
    }
    const { rows, unclosedAt } = parseCsv(text);
    if (unclosedAt) return { ok: false, problem: { key: 'admin:areas.error.csv_quote', params: { row: unclosedAt } } };
    const [header, ...data] = rows;
    if (!header || data.length === 0) return { ok: false, problem: { key: 'admin:areas.error.csv_empty' } };
    const heads = header.cells.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
    const col = Object.fromEntries(Object.entries(COLUMNS).map(([k, names]) => [k, heads.findIndex((h) => (names as readonly string[]).includes(h))])) as Record<keyof typeof COLUMNS, number>;
    if (col.name < 0) return { ok: false, problem: { key: 'admin:areas.error.csv_header' } };
    const inputs: CommuneInput[] = [];
    const seen = new Map<string, number>();
    for (const row of data) {
      if (row.cells.length > heads.length) return { ok: false, problem: { key: 'admin:areas.error.csv_columns', params: { row: row.line, count: heads.length } } };
      const cell = (k: keyof typeof COLUMNS) => (col[k] >= 0 ? (row.cells[col[k]] ?? '') : '');
      const id = cell('id').trim() || undefined;
      const r = commune.safeParse({ id, name: cell('name'), oldNames: list(cell('oldNames')), hamlets: list(cell('hamlets')) });
      if (!r.success) return { ok: false, problem: { key: `admin:areas.error.row_${String(r.error.issues[0]!.path[0])}`, params: { row: row.line } } };
      const key = r.data.id ?? r.data.name.toLowerCase();
      if (seen.has(key)) return { ok: false, problem: { key: 'admin:areas.error.row_duplicate', params: { row: row.line, first: seen.get(key)! } } };
      seen.set(key, row.line);
      inputs.push(r.data);
    }
    await this.write(inputs, by);
    return { ok: true, count: inputs.length };
  }

  /** The CSV the import reads back: the unit's areas as they are now. */
  async exportCsv(by: StaffMember): Promise<string> {
    const q = (s: string) => (/[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = (await this.list(by)).map((v) => [v.commune.id, v.commune.name, v.commune.aliases.join('; '), v.hamlets.map((h) => h.name).join('; ')].map(q).join(','));
    return `\uFEFFma,ten,ten_cu,ap\n${lines.join('\n')}\n`;
  }

  /** Communes without an id get one from their name; a commune's hamlets are replaced by the list given. */
  private async write(inputs: CommuneInput[], by: StaffMember): Promise<string[]> {
    const existing = [...(await this.store.communes()), ...(await this.store.hamlets())];
    const taken = new Set(existing.map((a) => a.id));
    const byName = new Map((await this.store.communes()).map((c) => [c.name.toLowerCase(), c.id]));
    const rows: Area[] = [];
    const ids: string[] = [];
    for (const c of inputs) {
      const id = c.id ?? byName.get(c.name.toLowerCase()) ?? slugFor(c.name, taken, 40);
      taken.add(id);
      ids.push(id);
      rows.push({ id, name: c.name, kind: 'commune', parentId: null, aliases: c.oldNames });
      c.hamlets.forEach((h, i) => rows.push({ id: `${id}-${i + 1}`, name: h, kind: 'hamlet', parentId: id, aliases: [] }));
    }
    await this.store.upsert(rows);
    const kept = new Set(rows.map((r) => r.id));
    const stale = existing.filter((a) => a.kind === 'hamlet' && ids.includes(a.parentId ?? '') && !kept.has(a.id)).map((a) => a.id);
    if (stale.length > 0) await this.store.deactivate(stale);
    await this.audit.record(actor(by), 'areas_changed', ids.length === 1 ? ids[0]! : null, this.clock.now());
    await this.areas.refresh();
    await this.changed(actor(by));
    return ids;
  }
}
