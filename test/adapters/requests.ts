import { createHash } from 'node:crypto';
import type { ImageInput, ModelRequest } from '../../src/adapters/types.js';
import { placeholderJpeg } from '../support/placeholder-images.js';

/** The official system prompt (answering-prompts.json, init_prompts.default). */
export const SYSTEM_PROMPT = 'You are a helpful assitant expert in medical domain.';

export const MC_PROMPT =
  "Based on the image, choose the correct option for the following question.\nQuestion: Which is shown?\nA: Lymphoma\nB: Sarcoma\nAnswer with the option's letter from the given choices directly. Your answer should be just one letter.\nAnswer: ";

export async function placeholderImage(id = '20192', size = 64): Promise<ImageInput> {
  const bytes = await placeholderJpeg(id, size);
  return { bytes, mediaType: 'image/jpeg', sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** A multiple-choice question about one placeholder image, as the runner would send it. */
export async function answerRequest(overrides: Partial<ModelRequest> = {}): Promise<ModelRequest> {
  return {
    system: SYSTEM_PROMPT,
    prompt: MC_PROMPT,
    image: await placeholderImage(),
    temperature: 0,
    maxTokens: 16,
    context: { pairId: '10001', slot: 0, purpose: 'answer' },
    ...overrides,
  };
}
