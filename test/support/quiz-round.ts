import type { QuizEngine, RoundRef } from '../../src/quiz/engine.js';

/** The session and round a room shows now, as a host's button would name them. */
export function current(engine: QuizEngine, roomId: string): RoundRef {
  const session = engine.session(roomId);
  if (session === null) return { sessionId: 'no-session', round: 0 };
  return { sessionId: session.sessionId, round: session.round?.round ?? 0 };
}
