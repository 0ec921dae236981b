/**
 * Connects the unit's Zalo Official Account: prints the OA's state (connected until when, the
 * last refresh error) and the consent link the OA's administrator opens within 10 minutes. The
 * bot's server takes the answer (/zalo-oa/callback) and stores the token pair.
 *   npm run --silent zalo-oa:connect
 */
import type { ZaloOaAdapter } from '../src/channels/zalo-oa/adapter.js';
import { formatVnDateTime } from '../src/domain/dates.js';
import { msg } from '../src/domain/message.js';
import { createContainer } from '../src/main/container.js';
import { loadConfig, loadDotEnv } from '../src/main/config.js';

await loadDotEnv();
const app = await createContainer(loadConfig());
const say = (key: string, params?: Record<string, string>) => process.stdout.write(`${app.translator.render(msg(key, params))}\n`);
try {
  const oa = app.adapters.get('zalo_oa') as ZaloOaAdapter | undefined;
  if (!oa) {
    say('oa:cli.not_configured');
    process.exitCode = 1;
  } else {
    const s = await oa.state();
    if (s.connected && s.expiresAt) say('oa:cli.state_connected', { until: formatVnDateTime(s.expiresAt) });
    else say('oa:cli.state_not_connected');
    const stored = await app.repos.platformTokens.load('zalo_oa');
    if (stored?.error) say('oa:cli.last_error', { error: stored.error });
    say('oa:cli.open_link');
    process.stdout.write(`${oa.consentUrl()}\n`);
  }
} finally {
  await app.close();
}
