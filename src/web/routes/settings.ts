import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import type { FieldErrors } from '../../core/forms.js';
import { SETTING_KEYS, type SettingKey } from '../../core/settings/schema.js';
import { formatVnDate } from '../../domain/dates.js';
import { type ConsoleContext, field } from '../console.js';
import { by, needCommander, type Flash } from './adminForm.js';

/**
 * The unit's settings that used to need .env and a restart: unit name and phone, working hours
 * and holidays, the SLA, retention, the reminder hour. Validated whole (a bad field is named and
 * nothing is saved), audited, in effect at once.
 */
export function settingsRoutes(app: FastifyInstance, c: ConsoleContext): void {
  const s = c.admin.settings;

  function show(req: FastifyRequest, reply: FastifyReply, user: WebUser, o: { flash?: Flash; errors?: FieldErrors; values?: Record<SettingKey, string>; status?: number } = {}) {
    const now = s.current();
    const values = o.values ?? (Object.fromEntries(SETTING_KEYS.map((k) => [k, k === 'holidays' ? now.holidays.map((d) => formatVnDate(d)).join('\n') : String(now[k])])) as Record<SettingKey, string>);
    return c.page(reply, req, 'settings', {
      keys: SETTING_KEYS,
      values,
      saved: Object.fromEntries(SETTING_KEYS.map((k) => [k, s.savedBy(k)])),
      errors: o.errors ?? {},
      root: user.staff.root,
      flash: o.flash,
    }, o.status ?? 200, '/settings');
  }

  app.get('/settings', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    await s.load();
    return show(req, reply, user);
  });

  app.post('/settings', async (req, reply) => {
    const user = needCommander(c, req, reply, { root: true });
    if (!user) return reply;
    const values = Object.fromEntries(SETTING_KEYS.map((k) => [k, field(req.body, k)])) as Record<SettingKey, string>;
    const r = await s.save(values, by(user));
    if (!r.ok) {
      const errors = Object.fromEntries(Object.entries(r.errors).map(([k, key]) => [k, { key }]));
      return show(req, reply, user, { errors, values, status: 422, flash: { ok: false, key: 'admin:settings.not_saved' } });
    }
    return show(req, reply, user, { flash: { ok: true, key: r.changed.length > 0 ? 'admin:settings.saved' : 'admin:settings.unchanged' } });
  });
}

