/**
 * Where a customer's "no" to "Did this solve it?" goes besides the counters: the review inbox
 * (src/review/) keeps the answer they rated, so that a reviewer can see what the bot misread.
 */
export interface NotSolvedSink {
  notSolved(rating: { conversationId: string; turnId: string }): Promise<void>;
}
