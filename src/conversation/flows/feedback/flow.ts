import { msg } from '../../../domain/message.js';
import type { FeedbackAnswer } from '../../../core/ports.js';
import { FEEDBACK_ANSWERS } from '../../../core/ports.js';
import type { FlowContext } from '../../context.js';
import { goToMenu, ok, opt, type Flow } from '../../flow.js';
import type { Msg } from '../../../domain/message.js';

/**
 * "Did the officer come?": the answer arrives as a button of that message (or, on Zalo, as its
 * number or words typed at the menu); then the person may add a comment, or skip it.
 */
export const feedbackFlow: Flow = {
  start(state) {
    state.flow = 'feedback';
    state.step = 'comment';
  },

  prompt() {
    return { text: [msg('notify:feedback_comment.ask')], options: [opt('fb:skip', 'notify:feedback_comment.skip')] };
  },

  async handle(ctx, input) {
    const requestId = typeof ctx.state.data.requestId === 'string' ? ctx.state.data.requestId : '';
    goToMenu(ctx.state);
    if ('option' in input) return ok(msg('notify:feedback_comment.skipped'));
    if ('text' in input && input.text.trim() !== '') await ctx.services.feedback.comment(ctx.owner, requestId, input.text.trim());
    return ok(msg('notify:feedback_comment.thanks'));
  },

  back(ctx) {
    goToMenu(ctx.state);
  },
};

/** An answer pressed (or typed): stored once; then the comment question. */
export async function answerFeedback(ctx: FlowContext, requestId: string, answer: FeedbackAnswer): Promise<Msg[]> {
  const r = await ctx.services.feedback.answer(ctx.owner, requestId, answer);
  if (r === 'not_found') return [msg('common:errors.stale_button')];
  if (r === 'already') return [msg('notify:feedback_answered_before')];
  feedbackFlow.start(ctx.state);
  ctx.state.data = { requestId };
  return [msg(r === 'reopened' ? 'notify:feedback_reopened' : `notify:feedback_thanks.${answer}`, { phone: ctx.services.unit.phone })];
}

/** A button of the question: "fb:<request id>:<answer>". */
export function parseFeedbackButton(id: string): { requestId: string; answer: FeedbackAnswer } | undefined {
  const m = /^fb:([0-9a-f-]{36}):([a-z_]+)$/.exec(id);
  const answer = FEEDBACK_ANSWERS.find((a) => a === m?.[2]);
  return m && answer ? { requestId: m[1]!, answer } : undefined;
}
