import type { LogprobRequest } from '../adapters/logprobs.js';
import type { ModelIdentity } from '../adapters/types.js';
import { hashKey } from '../store/keys.js';
import { type Protocol, sha256Hex } from './prompts.js';
import type { Variant } from './protocols/variants.js';

/**
 * Cache keys: a hash of everything that shapes a reply, and nothing secret. Two requests with the same key
 * would be sent byte-for-byte the same to the same model, so the stored reply stands in for a new one.
 * The version field lets a change in how requests are built invalidate old entries on purpose.
 */
const KEY_VERSION = 1;

export interface AnswerKeyParts {
  model: ModelIdentity;
  protocol: Protocol;
  /** Absent or `official`: the key is the one used before variants existed, so old caches stay valid. */
  variant?: Variant;
  /** Log-probabilities asked for (greedy, prefix, confidence): a different request, a different reply. */
  logprobs?: LogprobRequest;
  templateSha256: string;
  systemSha256: string | null;
  temperature: number | null;
  maxTokens: number | null;
  question: string;
  options: { A: string; B: string };
  imageSha256: string;
}

export function answerCacheKey(parts: AnswerKeyParts): string {
  return hashKey({
    v: KEY_VERSION,
    purpose: 'answer',
    provider: parts.model.provider,
    baseURL: parts.model.baseURL,
    model: parts.model.model,
    // Only when set, so that keys of requests built as before stay what they were.
    ...(parts.model.shape !== undefined ? { shape: parts.model.shape } : {}),
    protocol: parts.protocol,
    template: parts.templateSha256,
    system: parts.systemSha256,
    temperature: parts.temperature,
    maxTokens: parts.maxTokens,
    question: parts.question,
    options: [parts.options.A, parts.options.B],
    image: parts.imageSha256,
    ...(parts.variant !== undefined && parts.variant !== 'official' ? { variant: parts.variant } : {}),
    ...(parts.logprobs !== undefined ? { logprobs: parts.logprobs } : {}),
  });
}

export interface JudgeKeyParts {
  judge: ModelIdentity;
  judgeTemplateSha256: string;
  temperature: number | null;
  maxTokens: number | null;
  question: string;
  options: { A: string; B: string };
  reply: string;
}

/**
 * A verdict depends on the judge and on the reply text, not on which model wrote it: the same reply judged
 * twice is one request.
 */
export function judgeCacheKey(parts: JudgeKeyParts): string {
  return hashKey({
    v: KEY_VERSION,
    purpose: 'judge',
    provider: parts.judge.provider,
    baseURL: parts.judge.baseURL,
    model: parts.judge.model,
    ...(parts.judge.shape !== undefined ? { shape: parts.judge.shape } : {}),
    template: parts.judgeTemplateSha256,
    temperature: parts.temperature,
    maxTokens: parts.maxTokens,
    question: parts.question,
    options: [parts.options.A, parts.options.B],
    reply: sha256Hex(parts.reply),
  });
}
