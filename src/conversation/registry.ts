import type { Intent } from '../domain/intent.js';
import { formatVnDateTime } from '../domain/dates.js';
import { msg, type Msg } from '../domain/message.js';
import type { FlowContext } from './context.js';
import { goToMenu, type Flow } from './flow.js';
import { announceFlow } from './flows/announce/flow.js';
import { cancelFlow, startCancel, statusReport } from './flows/cancel/flow.js';
import { eraseFlow } from './flows/erase/flow.js';
import { feedbackFlow } from './flows/feedback/flow.js';
import { guideFlow } from './flows/guide/flow.js';
import { handoffFlow } from './flows/handoff/flow.js';
import { intakeFlow } from './flows/intake/flow.js';
import { menuFlow } from './flows/menu/flow.js';
import { scheduleFlow, subscribeFlow } from './flows/schedule/flow.js';
import { sessionsAdminFlow } from './flows/sessions/flow.js';
import { workFlow } from './flows/work/flow.js';
import { STAFF_COMMANDS } from './staffCommands.js';

/** Who may use a flow or a command; checked on every input, never only when it starts. */
export type Rights = 'anyone' | 'officer' | 'commander' | 'root';

/** After a command: ask the current question (`prompt`), repeat it (`reprompt`), or only say (`say`: staff commands, groups). */
export interface CommandOutcome {
  say: Msg[];
  then: 'prompt' | 'reprompt' | 'say';
}

export interface CommandSpec {
  name: string;
  aliases?: string[];
  rights?: Rights;
  /** Where it may be sent: a private chat (default), a group, or either. */
  where?: 'private' | 'group' | 'any';
  /** It takes a code that could be guessed, or hands out a login: tries are throttled per chat and per code. */
  guessable?: boolean;
  run(ctx: FlowContext, arg: string): Promise<CommandOutcome>;
}

/** An item of the citizen's main menu, and the meanings of free text that open it. */
export interface MenuEntry {
  item: string;
  intents?: Intent[];
  /** Opened from what people type, not listed on the menu. */
  hidden?: boolean;
  /** Opens it (the state changes); returns what to say before its first question. */
  open(ctx: FlowContext, typed?: string): Promise<Msg[]>;
}

export interface FlowSpec {
  name: string;
  flow: Flow;
  rights?: Rights;
  /** The flow takes a photo (an announcement's); elsewhere a photo is something we cannot read. */
  photo?: boolean;
  /** Typed text is understood as a wish here (in a form it is the answer to the question). */
  understands?: boolean;
  commands?: CommandSpec[];
  menu?: MenuEntry[];
}

const prompt = (...say: Msg[]): CommandOutcome => ({ say, then: 'prompt' });
const understood = (typed: string | undefined, item: string) => (typed !== undefined ? [msg('common:menu.understood', { choice: msg(`common:menu.${item}`) })] : []);

/**
 * Every conversation the bot holds, with its commands, its menu items and who may use it.
 * Adding a flow is a folder under flows/ and an entry here.
 */
export const FLOWS: FlowSpec[] = [
  {
    name: 'menu',
    flow: menuFlow,
    understands: true,
    commands: [
      {
        name: 'start',
        // "/help" is how many people ask for the menu; it must never be read as a cry for help.
        aliases: ['menu', 'help', 'giupdo', 'trogiup'],
        async run(ctx) {
          const left = ctx.state.flow === 'intake' && ctx.state.step !== 'consent';
          goToMenu(ctx.state);
          menuFlow.greet(ctx);
          return prompt(...(left ? [msg('common:menu.left_flow')] : []));
        },
      },
    ],
  },
  {
    name: 'intake',
    flow: intakeFlow,
    menu: [
      { item: 'home', intents: ['home_cccd'], open: async (ctx, typed) => (intakeFlow.start(ctx.state, 'home'), understood(typed, 'home')) },
      { item: 'ride', intents: ['ride'], open: async (ctx, typed) => (intakeFlow.start(ctx.state, 'ride'), understood(typed, 'ride')) },
    ],
  },
  {
    name: 'cancel',
    flow: cancelFlow,
    commands: [
      {
        name: 'huy',
        async run(ctx) {
          if (ctx.state.flow === 'intake') {
            goToMenu(ctx.state);
            return prompt(msg('intake:cancelled'));
          }
          return prompt(...(await startCancel(ctx)));
        },
      },
      // Status does not interrupt what the person was doing: the current question follows.
      { name: 'trangthai', run: async (ctx) => prompt(...(await statusReport(ctx))) },
    ],
    menu: [
      { item: 'status', intents: ['status'], open: (ctx) => statusReport(ctx) },
      { item: 'cancel', intents: ['cancel'], open: (ctx) => startCancel(ctx) },
    ],
  },
  {
    name: 'schedule',
    flow: scheduleFlow,
    understands: true,
    commands: [
      { name: 'lich', run: async (ctx) => (await scheduleFlow.open(ctx), prompt()) },
      { name: 'dangkytin', run: async (ctx) => (scheduleFlow.pickCommune(ctx), prompt()) },
      {
        name: 'huytin',
        async run(ctx) {
          const n = await ctx.services.sessions.unsubscribe(ctx.chat.channel, ctx.chat.chatId);
          return prompt(msg(n > 0 ? 'calendar:subscribe.all_stopped' : 'calendar:subscribe.none'));
        },
      },
    ],
    menu: [
      {
        item: 'schedule',
        intents: ['schedule'],
        // "thu 7 nay lam o xa tan hoa": the commune named in the question, if one is.
        open: async (ctx, typed) => (await scheduleFlow.open(ctx, typed !== undefined ? ctx.services.areas.mentionedIn(typed)?.id : undefined), []),
      },
    ],
  },
  {
    name: 'guide',
    flow: guideFlow,
    understands: true,
    menu: [
      ...(['vneid', 'fire'] as const).map((topic) => ({
        item: topic,
        intents: [topic],
        open: async (ctx: FlowContext, typed?: string) => (guideFlow.open(ctx, topic, typed !== undefined ? ctx.services.guide.find(topic, typed) : undefined), []),
      })),
      // Living in another province: where they live now, not the home commune's Saturday sessions.
      { item: 'cccd_elsewhere', intents: ['cccd_elsewhere'], hidden: true, open: async (ctx: FlowContext) => (guideFlow.open(ctx, 'vneid', 'elsewhere'), []) },
    ],
  },
  {
    name: 'handoff',
    flow: handoffFlow,
    menu: [
      { item: 'human', intents: ['human'], open: async (ctx) => (handoffFlow.start(ctx.state), []) },
      // Not on the menu: what someone who met a "giả danh công an" scammer is told, and the menu again.
      { item: 'scam', intents: ['scam'], hidden: true, open: async (ctx) => (goToMenu(ctx.state), [msg('safety:scam.warning', { phone: ctx.services.unit.phone })]) },
    ],
  },
  {
    name: 'erase',
    flow: eraseFlow,
    commands: [{ name: 'xoadulieu', run: async (ctx) => (eraseFlow.start(ctx.state), prompt()) }],
    menu: [{ item: 'erase', open: async (ctx) => (eraseFlow.start(ctx.state), []) }],
  },
  {
    name: 'announce',
    flow: announceFlow,
    rights: 'commander',
    photo: true,
    commands: [
      { name: 'thongbao', rights: 'commander', run: async (ctx) => (announceFlow.start(ctx.state), prompt()) },
      {
        name: 'lichsugui',
        rights: 'commander',
        async run(ctx) {
          const records = await ctx.services.broadcast.latest(10);
          const lines = records.flatMap((b) => [
            msg('broadcast:record.line', {
              at: formatVnDateTime(b.createdAt),
              by: b.createdBy,
              what: 'text' in b.content ? b.content.text.slice(0, 60) : msg(`broadcast:record.${b.kind}`),
              sent: b.sent,
              total: b.total,
              failed: b.failed,
              blocked: b.blocked,
              status: msg(`broadcast:record.status_${b.status}`),
            }),
            ...(b.receipts ? [msg('oa:receipts', b.receipts)] : []),
          ]);
          return prompt(msg(records.length > 0 ? 'broadcast:record.title' : 'broadcast:record.none'), ...lines);
        },
      },
      {
        name: 'dunggui',
        rights: 'commander',
        async run(ctx) {
          const running = await ctx.services.broadcast.runningBy(`${ctx.owner.channel}:${ctx.owner.userId}`);
          if (!running) return { say: [msg('broadcast:not_running')], then: 'reprompt' };
          return { say: [await stopAnnouncement(ctx, running)], then: 'reprompt' };
        },
      },
    ],
  },
  // "Which commune to follow": typed words are the commune's name there, not a wish.
  { name: 'subscribe', flow: subscribeFlow },
  { name: 'sessions', flow: sessionsAdminFlow, rights: 'commander', commands: [{ name: 'phien', rights: 'commander', run: async (ctx) => (sessionsAdminFlow.start(ctx.state), prompt()) }] },
  { name: 'feedback', flow: feedbackFlow },
  { name: 'work', flow: workFlow, rights: 'officer', commands: [{ name: 'viec', rights: 'officer', run: async (ctx) => (workFlow.start(ctx.state), prompt()) }] },
];

export const COMMANDS: CommandSpec[] = [...FLOWS.flatMap((f) => f.commands ?? []), ...STAFF_COMMANDS];

/** The main menu, in the order people remember (the first four never move: "1" is a home visit). */
const MENU_ORDER = ['home', 'ride', 'status', 'cancel', 'schedule', 'vneid', 'fire', 'human', 'erase'];
/** Every entry, listed or not. */
export const ENTRIES: MenuEntry[] = FLOWS.flatMap((f) => f.menu ?? []);
export const MENU: MenuEntry[] = MENU_ORDER.map((item) => ENTRIES.find((m) => m.item === item && !m.hidden)!);
export const MENU_ITEMS: readonly string[] = MENU.map((m) => m.item);

export function flowSpec(name: string): FlowSpec {
  return FLOWS.find((f) => f.name === name) ?? FLOWS[0]!;
}

export function commandNamed(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

/** The entry a meaning of free text opens, if any. */
export function menuItemFor(intent: Intent): MenuEntry | undefined {
  return ENTRIES.find((m) => m.intents?.includes(intent));
}

/** The stop button under an announcement's progress, or /dunggui: commanders only, checked now. */
export async function stopAnnouncement(ctx: FlowContext, id: string): Promise<Msg> {
  if (!(await ctx.services.staff.isCommander(ctx.owner))) return msg('team:admin.not_admin');
  const r = await ctx.services.broadcast.cancel(id, `${ctx.owner.channel}:${ctx.owner.userId}`);
  return msg(r === 'cancelled' ? 'broadcast:stopped' : 'broadcast:not_running');
}
