import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, RawServerDefault } from 'fastify';
import type { z } from 'zod';
import type { ProfileUpdate } from '../baseline/profile.js';
import type { BaselineRefusal, BaselineService, ConsentRequired, PairReveal } from '../baseline/service.js';
import type { ConfusingPair, PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import {
  type AnswerResponse,
  answerBodySchema,
  type BaselineRevealView,
  consentBodySchema,
  type ErrorResponse,
  type ForgetResponse,
  forgetBodySchema,
  type NextResponse,
  nextBodySchema,
  profileBodySchema,
  type StatusResponse,
  statusBodySchema,
} from './baseline-protocol.js';
import type { ImageLinks } from './image-links.js';
import { playerUserId } from './rooms.js';
import { hiddenAlt } from './views.js';

/**
 * The web baseline's API over the core's BaselineService. A browser is one participant: its random id
 * (kept in localStorage, the one the web quiz uses) becomes the platform id `web:<hash>`, which the core
 * pseudonymises like a Discord id. Images are served through ImageLinks under random per-pair tokens.
 */

export interface WebBaselineOptions {
  service: BaselineService;
  set: PairSet;
  images: ImageLinks;
  log: Logger;
}

/** Bodies are a few fields; anything larger is not from the page. */
const BODY_LIMIT = 4096;
/** Browsers whose current image links are remembered; past this, the longest idle lose theirs. */
const MAX_LINK_SESSIONS = 10_000;

function pairTokenOf(setName: string, pairId: string): string {
  return createHash('sha256').update(`${setName}\u0000${pairId}`, 'utf8').digest('hex').slice(0, 12);
}

/** The web server's fastify instance (its logger is the project's pino logger). */
export type WebApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

export function registerBaselineApi(app: WebApp, options: WebBaselineOptions): void {
  const { service, set, images } = options;
  const log = options.log.child({ component: 'web-baseline' });
  const byToken = new Map<string, ConfusingPair>(set.pairs.map((p) => [pairTokenOf(set.name, p.id), p]));
  /** The image-link session of the pair each browser sees now, dropped when the next one comes. */
  const linkSessions = new Map<string, string>();

  const bad = (reply: FastifyReply, error: z.ZodError) => {
    const issue = error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    return reply.code(400).send({
      error: 'BAD_REQUEST',
      message: `Invalid request${where}: ${issue?.message ?? 'unexpected value'}.`,
    } satisfies ErrorResponse);
  };
  const refused = (reply: FastifyReply, outcome: ConsentRequired | BaselineRefusal) =>
    outcome.code === 'CONSENT_REQUIRED'
      ? reply.code(403).send({
          error: outcome.code,
          message: outcome.message,
          notice: outcome.notice,
        } satisfies ErrorResponse)
      : reply.code(409).send({ error: outcome.code, message: outcome.message } satisfies ErrorResponse);

  const post = <S extends z.ZodType>(
    url: string,
    schema: S,
    handle: (body: z.infer<S>, userId: string, reply: FastifyReply) => Promise<unknown>,
  ) => {
    app.post(url, { bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const parsed = schema.safeParse(request.body);
      if (!parsed.success) return bad(reply, parsed.error);
      const body = parsed.data as z.infer<S> & { participant: string };
      return handle(body, playerUserId(body.participant), reply);
    });
  };

  post('/api/baseline/status', statusBodySchema, async (_body, userId) => {
    const consent = await service.consentStatus(userId);
    if (!consent.accepted) {
      return {
        consent: { accepted: false, reason: consent.reason, notice: consent.notice },
        profile: null,
      } satisfies StatusResponse;
    }
    const profile = await service.profile(userId);
    return {
      consent: { accepted: true },
      profile:
        profile.ok && profile.profile !== null
          ? { trainingLevel: profile.profile.trainingLevel, specialty: profile.profile.specialty }
          : null,
    } satisfies StatusResponse;
  });

  post('/api/baseline/consent', consentBodySchema, async (_body, userId) => {
    await service.acceptConsent(userId);
    return { ok: true };
  });

  post('/api/baseline/profile', profileBodySchema, async (body, userId, reply) => {
    const { participant: _p, ...update } = body;
    // setProfile validates the values itself (profileUpdateSchema) and says which field is wrong.
    const result = await service.setProfile(userId, update as ProfileUpdate);
    if (!result.ok) return refused(reply, result);
    return {
      profile:
        result.profile === null
          ? null
          : { trainingLevel: result.profile.trainingLevel, specialty: result.profile.specialty },
    };
  });

  post('/api/baseline/next', nextBodySchema, async (_body, userId, reply) => {
    const next = await service.nextPair(userId);
    if (!next.ok) return refused(reply, next);
    if (next.question === null) return { question: null, progress: next.progress } satisfies NextResponse;
    const q = next.question;
    const pair = byToken.get(pairTokenOf(set.name, q.pairId));
    if (pair === undefined)
      throw new Error(`baseline served pair ${q.pairId}, which is not in the web's set`);
    const token = pairTokenOf(set.name, pair.id);
    const linkSession = `baseline:${userId}:${token}`;
    const previous = linkSessions.get(userId);
    if (previous !== undefined && previous !== linkSession) images.forgetSession(previous);
    linkSessions.delete(userId);
    linkSessions.set(userId, linkSession);
    while (linkSessions.size > MAX_LINK_SESSIONS) {
      const [oldest, session] = linkSessions.entries().next().value ?? [];
      if (oldest === undefined || session === undefined) break;
      images.forgetSession(session);
      linkSessions.delete(oldest);
    }
    const [first, second] = await images.urlsFor(linkSession, 0, pair);
    return {
      question: {
        pair: token,
        question: q.question,
        options: { A: q.options.A, B: q.options.B },
        images: [
          { url: first, alt: hiddenAlt(0) },
          { url: second, alt: hiddenAlt(1) },
        ],
        choices: q.choices,
      },
      progress: next.progress,
    } satisfies NextResponse;
  });

  post('/api/baseline/answer', answerBodySchema, async (body, userId, reply) => {
    const pair = byToken.get(body.pair);
    if (pair === undefined) {
      return reply.code(409).send({
        error: 'UNKNOWN_PAIR',
        message: 'That pair is not in the question set this server uses now. Load your next pair.',
      } satisfies ErrorResponse);
    }
    const outcome = await service.answer(userId, {
      pairId: pair.id,
      slot: body.image - 1,
      option: body.option,
      ...(body.responseMs !== undefined ? { responseMs: body.responseMs } : {}),
    });
    if (!outcome.ok) return refused(reply, outcome);
    return {
      choices: outcome.choices,
      complete: outcome.complete,
      reveal: outcome.reveal === null ? null : revealView(outcome.reveal),
      progress: outcome.progress,
    } satisfies AnswerResponse;
  });

  post('/api/baseline/forget', forgetBodySchema, async (_body, userId) => {
    const report = await service.forget(userId);
    const session = linkSessions.get(userId);
    if (session !== undefined) images.forgetSession(session);
    linkSessions.delete(userId);
    log.info({ participant: report.participant }, 'web participant forgotten');
    return {
      consent: report.consent,
      profile: report.profile,
      progress: report.progress,
      baselineAnswers: report.baselineAnswers,
      quizAnswers: report.quizAnswers,
    } satisfies ForgetResponse;
  });
}

/** The reveal as the page shows it: everything but the images' local ids. */
export function revealView(reveal: PairReveal): BaselineRevealView {
  const image = (slot: 0 | 1) => {
    const i = reveal.images[slot];
    return {
      correct: i.correct,
      correctText: i.correctText,
      caption: i.caption.trim(),
      categories: [...i.categories],
      sourceUrl: i.sourceUrl,
      yours: i.yours,
      right: i.right,
      seenBefore: i.seenBefore,
      crowd: {
        answered: i.crowd.answered,
        picks: { A: i.crowd.picks.A, B: i.crowd.picks.B },
        right: i.crowd.right,
        rightShare: i.crowd.rightShare,
      },
    };
  };
  const s = reveal.you.score;
  return {
    pairId: reveal.pairId,
    question: reveal.question,
    options: { A: reveal.options.A, B: reveal.options.B },
    images: [image(0), image(1)],
    you: {
      correct: [s.correct[0], s.correct[1]],
      setCorrect: s.setCorrect,
      confused: s.confused,
      responseMs: reveal.you.responseMs,
    },
    crowd: {
      participants: reveal.crowd.participants,
      setCorrect: reveal.crowd.setCorrect,
      setAccuracy: reveal.crowd.setAccuracy,
    },
    models: reveal.models.map((m) =>
      m.status === 'answered'
        ? {
            modelId: m.modelId,
            status: 'answered' as const,
            chosen: [m.chosen[0], m.chosen[1]],
            correct: [m.score.correct[0], m.score.correct[1]],
            setCorrect: m.score.setCorrect,
            confused: m.score.confused,
          }
        : { modelId: m.modelId, status: 'failed' as const, reason: m.reason },
    ),
  };
}
