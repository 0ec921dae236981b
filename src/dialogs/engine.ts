import { msg, type Msg } from '../domain/message.js';
import { cleanInput, foldText } from '../domain/text.js';
import type { DialogStateRepository } from '../db/repositories/dialogStates.js';
import type { Lang, Translator } from '../i18n.js';
import { ChatLock } from './chatLock.js';
import type { DialogServices, FlowContext } from './context.js';
import { eraseFlow } from './flows/erase.js';
import type { Flow } from './flows/flow.js';
import { goToMenu } from './flows/flow.js';
import { intakeFlow } from './flows/intake.js';
import { announceFlow } from './flows/announce.js';
import { guideFlow } from './flows/guide.js';
import { scheduleFlow } from './flows/schedule.js';
import { sessionsAdminFlow } from './flows/sessionsAdmin.js';
import { handoffFlow } from './flows/handoff.js';
import { INTENT_ITEMS, type MenuItem, menuFlow } from './flows/menu.js';
import { CLARIFY_BELOW } from '../domain/intent.js';
import { findRequestCode } from '../domain/request.js';
import { formatVnDateTime } from '../domain/dates.js';
import { cancelFlow, startCancel, statusReport } from './flows/myRequests.js';
import { matchesAny, matchOption } from './optionMatch.js';
import { type ChatState, type FlowName, type InboundEvent, type Input, MAX_INPUT_CHARS, type Prompt, type Reply } from './types.js';

const SEEN_WINDOW = 50;

const FLOWS: Record<FlowName, Flow> = {
  menu: menuFlow,
  intake: intakeFlow,
  cancel: cancelFlow,
  erase: eraseFlow,
  guide: guideFlow,
  handoff: handoffFlow,
  schedule: scheduleFlow,
  announce: announceFlow,
  sessions: sessionsAdminFlow,
};
/** Where typed words are understood as a wish (in a form they are answers). */
const UNDERSTOOD_IN: readonly FlowName[] = ['menu', 'guide', 'schedule'];

type Command = 'start' | 'menu' | 'huy' | 'trangthai' | 'xoadulieu' | 'lich' | 'dangkytin' | 'huytin' | 'thongbao' | 'phien' | 'dunggui' | 'lichsugui';
const COMMANDS: readonly Command[] = ['start', 'menu', 'huy', 'trangthai', 'xoadulieu', 'lich', 'dangkytin', 'huytin', 'thongbao', 'phien', 'dunggui', 'lichsugui'];
const ADMIN_COMMANDS: readonly Command[] = ['thongbao', 'phien', 'dunggui', 'lichsugui'];
/** Flows only admins may use: rights are checked on every input, not only when they start. */
const ADMIN_FLOWS: readonly FlowName[] = ['announce', 'sessions'];
/** Flows that take a photo (an announcement's); elsewhere a photo is something we cannot read. */
const PHOTO_FLOWS: readonly FlowName[] = ['announce'];

export interface EngineOptions {
  services: DialogServices;
  states: DialogStateRepository;
  translator: Translator;
  defaultLang: Lang;
}

/**
 * The channel-agnostic conversation engine. One inbound event in, the replies out; the chat's
 * state is loaded, changed and saved around it, one event per chat at a time, so a restart
 * loses nothing and two messages from one chat are handled in order.
 */
export class DialogEngine {
  private readonly lock = new ChatLock();

  constructor(private readonly o: EngineOptions) {}

  handle(event: InboundEvent): Promise<Reply[]> {
    const key = chatKey(event);
    return this.lock.run(key, async () => {
      const state = await this.load(key);
      if (event.deliveryId !== undefined) {
        if (state.seen.includes(event.deliveryId)) return [];
        state.seen = [...state.seen.slice(-(SEEN_WINDOW - 1)), event.deliveryId];
      }
      const ctx: FlowContext = { state, event, owner: { channel: event.channel, userId: event.userId }, chatKey: key, services: this.o.services };
      const replies = await this.dispatch(ctx);
      await this.o.states.put(key, JSON.stringify(state), this.o.services.clock.now());
      return replies;
    });
  }

  private async load(key: string): Promise<ChatState> {
    const raw = await this.o.states.get(key);
    if (raw) {
      try {
        return { ...initialState(this.o.defaultLang), ...(JSON.parse(raw) as Partial<ChatState>) };
      } catch {
        // A corrupt state must not lock a person out: start over from the menu.
      }
    }
    const state = initialState(this.o.defaultLang);
    state.step = 'greet';
    return state;
  }

  private async dispatch(ctx: FlowContext): Promise<Reply[]> {
    const { event, state } = ctx;
    const text = event.text !== undefined ? cleanInput(event.text) : undefined;

    if (text !== undefined && text.length > MAX_INPUT_CHARS) {
      return this.reprompt(ctx, [msg('common:errors.too_long', { max: MAX_INPUT_CHARS })]);
    }
    const command = text !== undefined ? parseCommand(text) : undefined;
    if (command) return this.command(ctx, command);
    if (text && this.o.services.safety.isEmergency(text)) return this.emergency(ctx, text);

    if (event.option?.id.startsWith('bc:stop:')) return this.stopAnnouncement(ctx, event.option.id.slice(8));
    if (ADMIN_FLOWS.includes(state.flow) && !(await this.o.services.admins.isAdmin(event.channel, event.userId))) {
      goToMenu(state);
      return this.prompt(ctx, [msg('team:admin.not_admin')]);
    }
    const photo = event.photo !== undefined && PHOTO_FLOWS.includes(state.flow);
    if (event.unsupported || (event.photo !== undefined && !photo) || (text === undefined && !event.option && !event.contact)) {
      return this.reprompt(ctx, [msg('common:errors.unsupported')]);
    }
    if (text === '' && !photo) return this.reprompt(ctx, [msg('common:errors.blank')]);

    const input = this.toInput(ctx, text);
    if (input === 'stale') return this.reprompt(ctx, [msg('common:errors.stale_button')]);
    if (input === 'back' || input === 'cancel') {
      if (state.flow === 'menu') return this.prompt(ctx, []);
      if (input === 'back') {
        FLOWS[state.flow].back(ctx);
        return this.prompt(ctx, []);
      }
      const wasIntake = state.flow === 'intake';
      goToMenu(state);
      return this.prompt(ctx, wasIntake ? [msg('intake:cancelled')] : []);
    }

    if (state.flow === 'menu' && 'option' in input && input.option.startsWith('menu:')) {
      return this.menuChoice(ctx, input.option.slice(5));
    }
    if ('text' in input && UNDERSTOOD_IN.includes(state.flow)) {
      // A request code typed anywhere outside a form shows that request (only if it is theirs).
      const code = findRequestCode(input.text);
      if (code) return this.prompt(ctx, await statusReport(ctx, code));
      return this.understand(ctx, input.text);
    }
    const outcome = await FLOWS[state.flow].handle(ctx, input);
    if (outcome.rejected && outcome.say.length > 0) return this.reprompt(ctx, outcome.say, false);
    return this.prompt(ctx, outcome.say);
  }

  /** Turns text, a button press or a shared contact into one input for the current step. */
  private toInput(ctx: FlowContext, text: string | undefined): Input | 'back' | 'cancel' | 'stale' {
    const { event, state } = ctx;
    const t = this.o.translator;
    if (event.option) {
      if (event.option.id === 'nav:back' || event.option.id === 'nav:cancel') {
        return event.option.nonce === state.nonce ? (event.option.id === 'nav:back' ? 'back' : 'cancel') : 'stale';
      }
      // Button data comes from the client and can be forged or old: only what we offered last counts.
      return event.option.nonce === state.nonce && state.offered.includes(event.option.id) ? { option: event.option.id } : 'stale';
    }
    if (event.contact) return { contact: event.contact.phone };
    if (event.photo) return { photo: event.photo, caption: text ?? '' };
    const typed = text ?? '';
    // Options are matched like everything typed: folded, abbreviations expanded ("ko" → "khong").
    const fold = (s: string) => ctx.services.classifier.normalize(s);
    if (matchesAny(typed, t.words('common:words.back', state.lang), fold)) return 'back';
    if (matchesAny(typed, t.words('common:words.cancel', state.lang), fold)) return 'cancel';
    const labels = state.offered.map((id, i) => ({ id, label: this.o.translator.render(labelOf(state, i), state.lang) }));
    const option = matchOption(typed, labels, fold);
    return option ? { option } : { text: typed };
  }

  private async command(ctx: FlowContext, command: Command): Promise<Reply[]> {
    const { state, services, event } = ctx;
    if (ADMIN_COMMANDS.includes(command) && !(await services.admins.isAdmin(event.channel, event.userId))) {
      return this.reprompt(ctx, [msg('team:admin.not_admin')]);
    }
    switch (command) {
      case 'lich':
        await scheduleFlow.open(ctx);
        return this.prompt(ctx, []);
      case 'dangkytin':
        scheduleFlow.pickCommune(ctx);
        return this.prompt(ctx, []);
      case 'huytin': {
        const n = await services.sessions.unsubscribe(event.channel, event.chatId);
        return this.prompt(ctx, [msg(n > 0 ? 'calendar:subscribe.all_stopped' : 'calendar:subscribe.none')]);
      }
      case 'thongbao':
        announceFlow.start(state);
        return this.prompt(ctx, []);
      case 'phien':
        sessionsAdminFlow.start(state);
        return this.prompt(ctx, []);
      case 'lichsugui': {
        const records = await services.broadcast.latest(10);
        const lines = records.map((b) =>
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
        );
        return this.prompt(ctx, [msg(records.length > 0 ? 'broadcast:record.title' : 'broadcast:record.none'), ...lines]);
      }
      case 'dunggui': {
        const running = await services.broadcast.runningBy(`${event.channel}:${event.userId}`);
        return running ? this.stopAnnouncement(ctx, running) : this.reprompt(ctx, [msg('broadcast:not_running')]);
      }
      case 'start':
      case 'menu': {
        const left = state.flow === 'intake' && state.step !== 'consent';
        goToMenu(state);
        menuFlow.greet(ctx);
        return this.prompt(ctx, left ? [msg('common:menu.left_flow')] : []);
      }
      case 'huy':
        if (state.flow === 'intake') {
          goToMenu(state);
          return this.prompt(ctx, [msg('intake:cancelled')]);
        }
        return this.prompt(ctx, await startCancel(ctx));
      case 'trangthai':
        // Status does not interrupt what the person was doing: the current question follows.
        return this.prompt(ctx, await statusReport(ctx));
      case 'xoadulieu':
        eraseFlow.start(state);
        return this.prompt(ctx, []);
    }
  }

  /**
   * Before anything else: call 114, what to do now, the duty officers are told. Whatever the
   * person was doing stays as it was; the same question follows so they can go on when safe.
   */
  private async emergency(ctx: FlowContext, text: string): Promise<Reply[]> {
    await this.o.services.safety.alert(ctx.event.channel, ctx.event.chatId, text);
    const p = await FLOWS[ctx.state.flow].prompt(ctx);
    return [
      { text: [msg('safety:emergency.call_now'), msg('safety:emergency.do_now'), msg('safety:emergency.alerted')] },
      this.ask(ctx, p.text, p),
    ];
  }

  /**
   * Free text: an emergency first; a clear meaning is acted on as if its menu item was chosen
   * (and said back, so a misreading is visible); an unsure one offers the two likeliest
   * readings; nothing recognisable gets a kind "not understood" and the same choices.
   */
  private async understand(ctx: FlowContext, text: string): Promise<Reply[]> {
    const r = this.o.services.classifier.classify(text);
    if (r.intent === 'emergency') return this.emergency(ctx, text);
    if (r.intent === 'greeting') {
      goToMenu(ctx.state);
      menuFlow.greet(ctx);
      return this.prompt(ctx, []);
    }
    const item = INTENT_ITEMS[r.intent];
    if (!item) return this.reprompt(ctx, [msg('common:menu.not_understood_free')], false);
    if (r.confidence < CLARIFY_BELOW) {
      const items = [...new Set(r.ranked.map((x) => INTENT_ITEMS[x.intent]).filter((x): x is MenuItem => x !== undefined))].slice(0, 2);
      goToMenu(ctx.state);
      menuFlow.clarify(ctx, items);
      return this.prompt(ctx, []);
    }
    return this.menuChoice(ctx, item, text);
  }

  /** A menu item, chosen from the menu or understood from `typed` words. */
  private async menuChoice(ctx: FlowContext, item: string, typed?: string): Promise<Reply[]> {
    const { state, services } = ctx;
    if (state.flow === 'menu') state.step = 'main';
    const understood = typed !== undefined ? [msg('common:menu.understood', { choice: msg(`common:menu.${item}`) })] : [];
    switch (item) {
      case 'home':
      case 'ride':
        intakeFlow.start(state, item);
        return this.prompt(ctx, understood);
      case 'schedule': {
        // "thu 7 nay lam o xa tan hoa": the commune named in the question, if one is.
        await scheduleFlow.open(ctx, typed !== undefined ? services.areas.mentionedIn(typed)?.id : undefined);
        return this.prompt(ctx, []);
      }
      case 'vneid':
      case 'fire':
        guideFlow.open(ctx, item, typed !== undefined ? services.guide.find(item, typed) : undefined);
        return this.prompt(ctx, []);
      case 'human':
        handoffFlow.start(state);
        return this.prompt(ctx, []);
      case 'main':
        return this.prompt(ctx, []);
      case 'status':
        return this.prompt(ctx, await statusReport(ctx));
      case 'cancel':
        return this.prompt(ctx, await startCancel(ctx));
      case 'erase':
        eraseFlow.start(ctx.state);
        return this.prompt(ctx, []);
      default:
        return this.reprompt(ctx, [msg('common:menu.not_understood')]);
    }
  }

  /** The stop button under an announcement's progress, or /dunggui: admins only, checked now. */
  private async stopAnnouncement(ctx: FlowContext, id: string): Promise<Reply[]> {
    const { services, event } = ctx;
    if (!(await services.admins.isAdmin(event.channel, event.userId))) return this.reprompt(ctx, [msg('team:admin.not_admin')]);
    const r = await services.broadcast.cancel(id, `${event.channel}:${event.userId}`);
    return this.reprompt(ctx, [msg(r === 'cancelled' ? 'broadcast:stopped' : 'broadcast:not_running')]);
  }

  /** Says `before` (if anything), then asks the current step's question. */
  private async prompt(ctx: FlowContext, before: Msg[]): Promise<Reply[]> {
    const p = await FLOWS[ctx.state.flow].prompt(ctx);
    const replies: Reply[] = [];
    const clear = ctx.state.contactAsked && !p.askContact;
    if (before.length > 0) replies.push({ text: before, clearKeyboard: clear || undefined });
    const last = this.ask(ctx, p.text, p);
    if (clear && before.length === 0) last.clearKeyboard = true;
    replies.push(last);
    return replies;
  }

  /**
   * The question stays open: explain (`why`) and offer the same choices again. A step's own
   * validation message already says what to type; for anything else the question is repeated.
   */
  private async reprompt(ctx: FlowContext, why: Msg[], repeatQuestion = true): Promise<Reply[]> {
    const p = await FLOWS[ctx.state.flow].prompt(ctx);
    return [this.ask(ctx, repeatQuestion ? [...why, ...p.text] : why, p)];
  }

  private ask(ctx: FlowContext, text: Msg[], p: Prompt): Reply {
    const { state } = ctx;
    state.nonce = (state.nonce + 1) % 1_000_000;
    state.offered = (p.options ?? []).map((o) => o.id);
    state.labels = (p.options ?? []).map((o) => o.label);
    state.contactAsked = p.askContact ?? false;
    return {
      text,
      options: p.options && p.options.length > 0 ? p.options : undefined,
      nav: p.nav,
      nonce: state.nonce,
      askContact: p.askContact,
    };
  }
}

function labelOf(state: ChatState, i: number): Msg {
  return state.labels[i] ?? msg('common:raw', { text: '' });
}

export function chatKey(e: Pick<InboundEvent, 'channel' | 'chatId'>): string {
  return `${e.channel}:${e.chatId}`;
}

function initialState(lang: Lang): ChatState {
  return {
    lang,
    flow: 'menu',
    step: 'main',
    draft: {},
    data: {},
    editing: false,
    nonce: 0,
    offered: [],
    labels: [],
    contactAsked: false,
    seen: [],
  };
}

/** "/huy", "/huy@MyBot", "huy" alone is not a command (it is "cancel" inside a flow). */
function parseCommand(text: string): Command | undefined {
  const m = /^\/([a-z_]+)(@\w+)?(\s|$)/i.exec(text);
  if (!m) return undefined;
  const name = foldText(m[1]!).replace(/\s/g, '') as Command;
  return COMMANDS.includes(name) ? name : undefined;
}
