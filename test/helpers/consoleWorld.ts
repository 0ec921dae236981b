import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { FakeTelegram } from './fakeTelegram.js';
import { FakeZalo } from './fakeZalo.js';
import { linkTeam, type Stack, startStack, type TeamSpec, teamsFile, zaloEnv } from './stack.js';

/** What the browser tests drive: both fake platforms, one stack with its HTTP server, a browser. */
export interface ConsoleWorld {
  tg: FakeTelegram;
  zalo: FakeZalo;
  stack: Stack;
  browser: Browser;
  /** The console's origin, http://127.0.0.1:PORT. */
  base: string;
  /** The environment the stack was started with (a test that restarts it uses the same). */
  env: Record<string, string>;
}

/** [team id, its Telegram group, its officer, the officer's name]: linked with real codes before the tests. */
export type TeamLink = [string, number, number, string];

export async function startConsoleWorld(teams: TeamSpec[], links: TeamLink[]): Promise<ConsoleWorld> {
  const tg = new FakeTelegram();
  const zalo = new FakeZalo();
  await tg.start();
  await zalo.start();
  // Many sign-ins from one address in a minute here; the limit itself is tested in http.test.ts.
  const env = { ...zaloEnv(zalo), TEAMS_FILE: teamsFile(teams), WEB_LOGIN_PER_MINUTE: '1000' };
  const stack = await startStack(tg, env, { http: true });
  for (const [teamId, group, officer, name] of links) await linkTeam(tg, teamId, group, officer, name);
  await stack.app.services.assignment.teamsChanged();
  return { tg, zalo, stack, browser: await launchBrowser(), base: `http://127.0.0.1:${stack.app.server!.port}`, env };
}

/** Closes what the tests opened, then the world; `stack` is the current one if a test restarted it. */
export async function stopConsoleWorld(w: ConsoleWorld | undefined, contexts: BrowserContext[], stack = w?.stack): Promise<void> {
  for (const c of contexts) await c.close().catch(() => undefined);
  await w?.browser.close();
  await stack?.stop();
  await w?.tg.stop();
  await w?.zalo.stop();
}
