import type { FlowContext } from './context.js';
import { msg, type Msg } from '../domain/message.js';
import type { ChatState, Input, OptionOut, Outcome, Prompt } from './types.js';

/**
 * A conversation flow is a set of steps. The engine asks the current step's prompt, hands it
 * each input, and handles commands, navigation and stale buttons the same way for every flow.
 */
export interface Flow {
  start(state: ChatState, variant?: string): void;
  prompt(ctx: FlowContext): Prompt | Promise<Prompt>;
  handle(ctx: FlowContext, input: Input): Promise<Outcome>;
  /** One step back; leaving the first step returns to the menu. */
  back(ctx: FlowContext): void;
}

export function goToMenu(state: ChatState): void {
  state.flow = 'menu';
  state.step = 'main';
  state.draft = {};
  state.data = {};
  state.editing = false;
}

/** The input was taken (say these first). */
export const ok = (...say: Msg[]): Outcome => ({ say });
/** The input was not taken: say why, the same question stays open. */
export const reject = (...say: Msg[]): Outcome => ({ say, rejected: true });
export const opt = (id: string, key: string, params?: Record<string, string | number>): OptionOut => ({ id, label: msg(key, params) });
