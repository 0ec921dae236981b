import { addressKey } from '../domain/address.js';
import { CLARIFY_BELOW } from '../domain/intent.js';
import { msg, type Msg } from '../domain/message.js';
import { findRequestCode } from '../domain/request.js';
import { cleanInput, foldText } from '../domain/text.js';
import { parseCardButton } from '../core/notices/card.js';
import { FEEDBACK_ANSWERS } from '../core/ports.js';
import { parseVnMobile } from '../domain/phone.js';
import { answerFeedback, parseFeedbackButton } from './flows/feedback/flow.js';
import type { StateStore } from '../core/ports.js';
import type { Lang, Translator } from '../i18n.js';
import { ChatLock, type ChatMutex } from './chatLock.js';
import { UpdateEffects } from './updateEffects.js';
import type { FloodGate } from './flood.js';
import type { DialogServices, FlowContext } from './context.js';
import { goToMenu } from './flow.js';
import { menuFlow } from './flows/menu/flow.js';
import { statusReport } from './flows/cancel/flow.js';
import { matchesAny, matchOption } from './optionMatch.js';
import { commandNamed, type CommandOutcome, ENTRIES, flowSpec, MENU_ITEMS, menuItemFor, type Rights, stopAnnouncement } from './registry.js';
import { answerQuestion } from './staffCommands.js';
import { type ChatState, type InboundEvent, type Input, MAX_INPUT_CHARS, type Prompt, type Reply } from './types.js';

const SEEN_WINDOW = 50;
/** Saves of one event that may find the chat changed by another process before it gives up. */
const SAVE_ATTEMPTS = 8;
/** What handling only computes or reads with: not journaled (see UpdateEffects.nextTry). */
const PURE_SERVICES = ['classifier', 'guide', 'areas', 'clock', 'words', 'unit'] as const satisfies readonly (keyof DialogServices)[];

export interface EngineOptions {
  services: DialogServices;
  states: StateStore;
  translator: Translator;
  defaultLang: Lang;
  /** One event per chat at a time across processes (Redis); without it, this process only. */
  chatLock?: ChatMutex;
  /** The per-chat rate and code tries; without it, no limit. */
  flood?: FloodGate;
}

/** What one event produced: the replies to its chat, and a short answer to a pressed button. */
export interface EngineResult {
  replies: Reply[];
  toast?: Msg;
}

/**
 * The channel-agnostic conversation engine. One inbound event in, the replies out; the chat's
 * state is loaded, changed and saved around it, one event per chat at a time, so a restart
 * loses nothing and two messages from one chat are handled in order. Private chats hold
 * conversations; in a group (a team's work chat, the duty chat) the bot only takes staff
 * commands, card buttons and answers to questions, and stays quiet otherwise.
 */
export class DialogEngine {
  private readonly lock = new ChatLock();

  constructor(private readonly o: EngineOptions) {}

  /**
   * Order: this process's lock, then the chat's lock across processes; the state is read with
   * its version and saved only if nobody saved since (else handled again on what they saved).
   * A chat past its rate is answered before any of that, so its flood waits in no queue.
   */
  async handle(event: InboundEvent): Promise<EngineResult> {
    const key = addressKey(event.address);
    const refused = await this.admit(key, event);
    if (refused) return refused;
    const { chatLock } = this.o;
    return this.lock.run(key, () => (chatLock ? chatLock.run(key, () => this.handleNow(key, event)) : this.handleNow(key, event)));
  }

  /** Past the chat's rate: one kind word, then silence. An emergency always goes through. */
  private async admit(key: string, event: InboundEvent): Promise<EngineResult | undefined> {
    if (!this.o.flood) return undefined;
    const verdict = await this.o.flood.admit(key, event.address.kind === 'group');
    if (verdict === 'ok') return undefined;
    if (event.text !== undefined && this.o.services.safety.triage(cleanInput(event.text))) return undefined;
    return { replies: verdict === 'warn' ? [{ text: [msg('flood:slow_down')] }] : [] };
  }

  /**
   * A save that loses the compare-and-set (another process saved this chat meanwhile: its lock
   * had lapsed, or Redis was down) handles the event again on top of what that process saved,
   * so neither answer is lost. Handling has effects beyond the state — a question or an
   * emergency report for the duty chat, a repeat counted, a one-time code spent, a request
   * filed, notices queued — and none may happen twice. Neither keeping the lost try's state (it
   * would overwrite the other answer) nor putting effects off until the save wins (the answer
   * needs their results; a crash between the save and them would lose an emergency for good,
   * the update being seen) is right. So the event is handled again with every service call the
   * lost try made answered from its journal (updateEffects.ts): the second try recomputes the
   * answer on the fresh state, its effects are the first try's. That journal is this process's
   * memory; the same update handled again after a crash before the save, or on another replica,
   * is met in the database: handoffs and emergency repeats carry the update's key (unique), a
   * filed request the draft's id.
   */
  private async handleNow(key: string, event: InboundEvent): Promise<EngineResult> {
    // A display name is stored (an officer registers under it): cleaned like typed text.
    if (event.actorName !== undefined) event = { ...event, actorName: cleanInput(event.actorName) };
    const effects = new UpdateEffects();
    const updateKey = event.deliveryId === undefined ? undefined : `${key}#${event.deliveryId}`;
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.o.states.load(key);
      const state = this.parse(loaded?.state);
      // "Seen" is saved with the answer in one compare-and-set: a delivery to two replicas is handled once.
      if (event.deliveryId !== undefined) {
        if (state.seen.includes(event.deliveryId)) return { replies: [] };
        state.seen = [...state.seen.slice(-(SEEN_WINDOW - 1)), event.deliveryId];
      }
      const services = effects.nextTry(this.o.services, PURE_SERVICES);
      const ctx: FlowContext = { state, event, owner: event.actor, chat: event.address, chatKey: key, updateKey, services, menu: MENU_ITEMS };
      const result = event.address.kind === 'group' ? await this.group(ctx) : { replies: await this.dispatch(ctx) };
      if (await this.o.states.save(key, JSON.stringify(state), loaded?.version, this.o.services.clock.now())) return result;
      if (attempt >= SAVE_ATTEMPTS) throw new Error(`chat state changed under ${SAVE_ATTEMPTS} tries in a row`);
      // A moment's random pause: two replicas retrying in step would collide again.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }

  private parse(raw: string | undefined): ChatState {
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

  /** A team's work chat or the duty chat: card buttons, staff commands and answers only. */
  private async group(ctx: FlowContext): Promise<EngineResult> {
    const { event, services } = ctx;
    if (event.option) {
      const id = event.option.id;
      if (id.startsWith('bc:stop:')) return { replies: [], toast: await stopAnnouncement(ctx, id.slice(8)) };
      const pressed = parseCardButton(id);
      if (!pressed) return { replies: [], toast: msg('team:press.stale') };
      const result = await services.assignment.act(pressed.requestId, pressed.action, { actor: ctx.owner, chat: ctx.chat });
      return { replies: [], toast: msg(`team:press.${result}`) };
    }
    const text = event.text !== undefined ? cleanInput(event.text) : '';
    const command = parseCommand(text);
    if (command) {
      const outcome = await this.runCommand(ctx, command.name, command.arg, 'group');
      return { replies: outcome && outcome.say.length > 0 ? [{ text: outcome.say }] : [] };
    }
    // In the duty chat, a reply to a forwarded question is the answer to it.
    if (event.replyTo !== undefined && services.handoff.isDutyChat(ctx.chat) && text !== '') {
      const said = await answerQuestion(ctx, text, event.replyTo);
      return { replies: said ? [{ text: said }] : [] };
    }
    return { replies: [] };
  }

  private async dispatch(ctx: FlowContext): Promise<Reply[]> {
    const { event, state } = ctx;
    const text = event.text !== undefined ? cleanInput(event.text) : undefined;

    if (text !== undefined && text.length > MAX_INPUT_CHARS) {
      return this.reprompt(ctx, [msg('common:errors.too_long', { max: MAX_INPUT_CHARS })]);
    }
    const command = text !== undefined ? parseCommand(text) : undefined;
    if (command) {
      const outcome = await this.runCommand(ctx, command.name, command.arg, 'private');
      if (outcome) return this.after(ctx, outcome);
      // A command we do not know is never read as words (nor as an emergency): say so, go on.
      return this.reprompt(ctx, [msg('common:errors.unknown_command')]);
    }
    if (text) {
      // Describing how someone gets about ("bị tai biến", "ngã gãy chân") is not an emergency now.
      const lasting = state.flow === 'intake' && (state.step === 'condition' || state.step === 'notes');
      const calls = ctx.services.safety.triage(text, lasting);
      if (calls) return this.emergency(ctx, text, calls);
    }
    if (event.location) return this.location(ctx, event.location);

    if (event.option?.id.startsWith('bc:stop:')) return this.reprompt(ctx, [await stopAnnouncement(ctx, event.option.id.slice(8))]);
    // A button of a message the bot sent of its own accord ("did the officer come?").
    const feedback = event.option ? parseFeedbackButton(event.option.id) : undefined;
    if (feedback) return this.prompt(ctx, await answerFeedback(ctx, feedback.requestId, feedback.answer));
    // At the menu, words that answer such a message (typed on Zalo, which has no buttons).
    if (text && state.flow === 'menu') {
      const said = await this.answerToNotice(ctx, text);
      if (said) return this.prompt(ctx, said);
    }
    const spec = flowSpec(state.flow);
    if (!(await this.allowed(ctx, spec.rights))) {
      goToMenu(state);
      return this.prompt(ctx, [refusal(spec.rights)]);
    }
    const photo = event.photo !== undefined && spec.photo === true;
    if (event.unsupported || (event.photo !== undefined && !photo) || (text === undefined && !event.option && !event.contact)) {
      return this.reprompt(ctx, [msg('common:errors.unsupported')]);
    }
    if (text === '' && !photo) return this.reprompt(ctx, [msg('common:errors.blank')]);

    const input = this.toInput(ctx, text);
    if (input === 'stale') return this.reprompt(ctx, [msg('common:errors.stale_button')]);
    if (input === 'back' || input === 'cancel') {
      if (state.flow === 'menu') return this.prompt(ctx, []);
      if (input === 'back') {
        spec.flow.back(ctx);
        return this.prompt(ctx, []);
      }
      const wasIntake = state.flow === 'intake';
      goToMenu(state);
      return this.prompt(ctx, wasIntake ? [msg('intake:cancelled')] : []);
    }

    if (state.flow === 'menu' && 'option' in input && input.option.startsWith('menu:')) {
      return this.menuChoice(ctx, input.option.slice(5));
    }
    if ('text' in input && spec.understands) {
      // A request code typed anywhere outside a form shows that request (only if it is theirs).
      const code = findRequestCode(input.text);
      if (code) return this.prompt(ctx, await statusReport(ctx, code));
      return this.understand(ctx, input.text);
    }
    const outcome = await spec.flow.handle(ctx, input);
    if (outcome.rejected && outcome.say.length > 0) return this.reprompt(ctx, outcome.say, false);
    return this.prompt(ctx, outcome.say);
  }

  /** Runs a command if it exists, is allowed here and to this person; undefined: not a command we know. */
  private async runCommand(ctx: FlowContext, name: string, arg: string, where: 'private' | 'group'): Promise<CommandOutcome | undefined> {
    const spec = commandNamed(name);
    if (!spec) return undefined;
    const place = spec.where ?? 'private';
    if (place !== 'any' && place !== where) return { say: [msg(where === 'group' ? 'team:link.private_only' : 'team:link.group_only')], then: 'say' };
    if (!(await this.allowed(ctx, spec.rights))) return { say: [refusal(spec.rights)], then: 'reprompt' };
    // A code that can be guessed: so many tries per chat, and per code, then a pause.
    const tooMany = spec.guessable && this.o.flood ? await this.o.flood.codeTry(ctx.chatKey, arg) : undefined;
    if (tooMany) return { say: [tooMany], then: 'say' };
    return spec.run(ctx, arg);
  }

  private async allowed(ctx: FlowContext, rights: Rights | undefined): Promise<boolean> {
    if (!rights || rights === 'anyone') return true;
    const me = await ctx.services.staff.whoIs(ctx.owner);
    if (rights === 'officer') return me?.teamId !== null && me?.teamId !== undefined;
    if (rights === 'root') return me?.root === true;
    return me?.commander === true;
  }

  private after(ctx: FlowContext, o: CommandOutcome): Promise<Reply[]> | Reply[] {
    if (o.then === 'say') return o.say.length > 0 ? [{ text: o.say }] : [];
    return o.then === 'prompt' ? this.prompt(ctx, o.say) : this.reprompt(ctx, o.say);
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
    // A choice that cannot be undone is picked by its own words first ("huy" at "cancel this
    // request?" means that, not "leave the form").
    for (const [id, words] of Object.entries(state.confirmWords)) if (state.offered.includes(id) && matchesAny(typed, words, fold)) return { option: id };
    if (matchesAny(typed, t.words('common:words.back', state.lang), fold)) return 'back';
    if (matchesAny(typed, t.words('common:words.cancel', state.lang), fold)) return 'cancel';
    const labels = state.offered.map((id, i) => ({ id, label: this.o.translator.render(labelOf(state, i), state.lang), exactOnly: id in state.confirmWords }));
    const option = matchOption(typed, labels, fold);
    return option ? { option } : { text: typed };
  }

  /**
   * Before anything else: the number to call, in one short message; then what to do now; the
   * duty officers are told. Whatever the person was doing stays as it was; the same question
   * follows so they can go on when safe.
   */
  private async emergency(ctx: FlowContext, text: string, calls: readonly string[]): Promise<Reply[]> {
    const [first, ...also] = calls.length > 0 ? calls : ['114'];
    await ctx.services.safety.alert(ctx.chat, text, [first!, ...also], ctx.updateKey);
    const p = await flowSpec(ctx.state.flow).flow.prompt(ctx);
    return [
      { text: [msg(`safety:emergency.call.${first}`), ...also.map((n) => msg('safety:emergency.call_also', { number: n }))] },
      { text: [msg(`safety:emergency.do.${first}`), msg('safety:emergency.alerted')], askLocation: true },
      this.ask(ctx, p.text, p),
    ];
  }

  /**
   * Typed at the menu in answer to what the bot sent: the number (or words) of an answer to
   * "did the officer come?", or a new phone number after an officer could not reach them.
   */
  private async answerToNotice(ctx: FlowContext, text: string): Promise<Msg[] | undefined> {
    const { services, state } = ctx;
    const pending = await services.feedback.pending(ctx.chat.channel, ctx.chat.chatId);
    if (pending) {
      const fold = (s: string) => services.classifier.normalize(s);
      const labels = FEEDBACK_ANSWERS.map((a) => ({ id: a, label: this.o.translator.render(msg(`notify:feedback_answer.${a}`), state.lang), exactOnly: false }));
      const picked = /^[1-3]$/.test(text.trim()) ? FEEDBACK_ANSWERS[Number(text.trim()) - 1] : matchOption(text, labels, fold);
      const answer = FEEDBACK_ANSWERS.find((a) => a === picked);
      if (answer) return answerFeedback(ctx, pending.requestId, answer);
    }
    const phone = parseVnMobile(text);
    if (phone.ok) {
      const r = await services.assignment.awaitingContact(ctx.owner);
      if (r && (await services.requests.changePhone(ctx.owner, r, phone.phone))) return [msg('requests:phone_changed', { code: r.code, phone: phone.phone })];
    }
    return undefined;
  }

  /** A shared location: where an emergency reported minutes ago is (else not something we read). */
  private async location(ctx: FlowContext, where: { lat: number; lon: number }): Promise<Reply[]> {
    if (await ctx.services.safety.located(ctx.chat, where)) return this.reprompt(ctx, [msg('safety:emergency.location_sent')]);
    // Asked where the home is, a shared location answers it: as a map link the officer can open.
    if (ctx.state.flow === 'intake' && (ctx.state.step === 'address' || ctx.state.step === 'pickup')) {
      ctx.event = { ...ctx.event, location: undefined, text: `https://maps.google.com/?q=${where.lat.toFixed(6)},${where.lon.toFixed(6)}` };
      return this.dispatch(ctx);
    }
    return this.reprompt(ctx, [msg('common:errors.unsupported')]);
  }

  /**
   * Free text: an emergency first; a clear meaning is acted on as if its menu item was chosen
   * (and said back, so a misreading is visible); an unsure one offers the two likeliest
   * readings; nothing recognisable gets a kind "not understood" and the same choices.
   */
  private async understand(ctx: FlowContext, text: string): Promise<Reply[]> {
    const r = ctx.services.classifier.classify(text);
    if (r.intent === 'emergency') return this.emergency(ctx, text, r.call ?? ['114']);
    // Words after an officer answered them, that are no clear wish of their own, go back to that officer.
    if (r.intent === 'other' || r.intent === 'human' || r.confidence < CLARIFY_BELOW) {
      const thread = await ctx.services.handoff.followUp(ctx.chat, text, ctx.updateKey);
      if (thread) return this.prompt(ctx, [msg('handoff:followup_sent', { code: thread })]);
    }
    if (r.intent === 'greeting') {
      goToMenu(ctx.state);
      menuFlow.greet(ctx);
      return this.prompt(ctx, []);
    }
    const item = menuItemFor(r.intent);
    if (!item) return this.reprompt(ctx, [msg('common:menu.not_understood_free')], false);
    if (r.confidence < CLARIFY_BELOW) {
      const items = [...new Set(r.ranked.map((x) => menuItemFor(x.intent)).filter((x) => x !== undefined && !x.hidden).map((x) => x!.item))].slice(0, 2);
      goToMenu(ctx.state);
      menuFlow.clarify(ctx, items);
      return this.prompt(ctx, []);
    }
    return this.menuChoice(ctx, item.item, text);
  }

  /** A menu item, chosen from the menu or understood from `typed` words. */
  private async menuChoice(ctx: FlowContext, item: string, typed?: string): Promise<Reply[]> {
    if (ctx.state.flow === 'menu') ctx.state.step = 'main';
    if (item === 'main') return this.prompt(ctx, []);
    const entry = ENTRIES.find((m) => m.item === item);
    if (!entry) return this.reprompt(ctx, [msg('common:menu.not_understood')]);
    return this.prompt(ctx, await entry.open(ctx, typed));
  }

  /** Says `before` (if anything), then asks the current step's question. */
  private async prompt(ctx: FlowContext, before: Msg[]): Promise<Reply[]> {
    const p = await flowSpec(ctx.state.flow).flow.prompt(ctx);
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
    const p = await flowSpec(ctx.state.flow).flow.prompt(ctx);
    return [this.ask(ctx, repeatQuestion ? [...why, ...p.text] : why, p)];
  }

  private ask(ctx: FlowContext, text: Msg[], p: Prompt): Reply {
    const { state } = ctx;
    state.nonce = (state.nonce + 1) % 1_000_000;
    state.offered = (p.options ?? []).map((o) => o.id);
    state.labels = (p.options ?? []).map((o) => o.label);
    state.confirmWords = Object.fromEntries((p.options ?? []).filter((o) => o.confirmWords).map((o) => [o.id, o.confirmWords!]));
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

function refusal(rights: Rights | undefined): Msg {
  return msg(rights === 'officer' ? 'team:press.not_officer' : 'team:admin.not_admin');
}

function labelOf(state: ChatState, i: number): Msg {
  return state.labels[i] ?? msg('common:raw', { text: '' });
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
    confirmWords: {},
    seen: [],
  };
}

/** "/huy", "/huy@MyBot", "/lienket CODE"; "huy" alone is not a command (it is "cancel" inside a flow). */
function parseCommand(text: string): { name: string; arg: string } | undefined {
  const m = /^\/([a-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!m) return undefined;
  return { name: foldText(m[1]!).replace(/\s/g, ''), arg: (m[2] ?? '').trim() };
}
