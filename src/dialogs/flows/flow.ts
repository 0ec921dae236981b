import type { FlowContext } from '../context.js';
import type { ChatState, Input, Outcome, Prompt } from '../types.js';

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
