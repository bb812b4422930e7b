import { IMAGE_SLOTS, type ImageSlot, OPTIONS, type Option } from './model.js';
import type { DocPath, SourceDocument } from './source-document.js';
import { formatField, type ProblemCollector } from './validation.js';

/**
 * Checks that a schema cannot express, shared by the official and the custom loaders. They run on
 * whatever parts of a pair passed the schema, so one broken field does not hide another pair-level fault.
 */

export interface ImageFacts {
  /** What identifies the picture (ROCO path, or a custom image's resolved file); undefined when invalid. */
  identity?: string;
  answer?: Option;
  categories?: string[];
}

export interface PairFacts {
  pairId: string;
  question?: string;
  options: Partial<Record<Option, string>>;
  images: [ImageFacts, ImageFacts];
}

/** Where each fact lives inside a pair, relative to the pair (the two formats name fields differently). */
export interface PairFieldPaths {
  question: DocPath;
  option(option: Option): DocPath;
  answer(slot: ImageSlot): DocPath;
  categories(slot: ImageSlot): DocPath;
  identity(slot: ImageSlot): DocPath;
}

export interface PairCheckContext {
  collector: ProblemCollector;
  doc: SourceDocument;
  /** Path of the pair inside the document. */
  pairPath: DocPath;
  fields: PairFieldPaths;
  /** Categories a pair may use; undefined skips the check (the list itself is broken or missing). */
  knownCategories?: ReadonlySet<string>;
  /** Where known categories are declared, for the message (`statistics.json`, `categories`). */
  categoriesSource: string;
}

const normalise = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

/** Longest question and option text a pair may have (characters). */
export const MAX_QUESTION_CHARS = 1000;
export const MAX_OPTION_CHARS = 500;

export function checkPairFacts(facts: PairFacts, context: PairCheckContext): void {
  const { collector, doc, pairPath, fields } = context;
  const report = (code: Parameters<ProblemCollector['add']>[1], message: string, relative: DocPath) =>
    collector.add(
      doc.file,
      code,
      message,
      { pairId: facts.pairId, field: formatField(relative), path: [...pairPath, ...relative] },
      doc,
    );

  if (facts.question !== undefined && facts.question.trim() === '') {
    report('TEXT_EMPTY', 'question is blank', fields.question);
  }
  for (const option of OPTIONS) {
    const text = facts.options[option];
    if (text !== undefined && text.trim() === '')
      report('TEXT_EMPTY', `option ${option} is blank`, fields.option(option));
  }
  // MediConfusion's longest question is about 100 characters and its longest option about 110; a field far
  // beyond that is a paste gone wrong, and would be sent to every model and shown in every round.
  if (facts.question !== undefined && facts.question.length > MAX_QUESTION_CHARS) {
    report(
      'FIELD_TOO_LONG',
      `question is ${facts.question.length} characters; at most ${MAX_QUESTION_CHARS}`,
      fields.question,
    );
  }
  for (const option of OPTIONS) {
    const text = facts.options[option];
    if (text !== undefined && text.length > MAX_OPTION_CHARS)
      report(
        'FIELD_TOO_LONG',
        `option ${option} is ${text.length} characters; at most ${MAX_OPTION_CHARS}`,
        fields.option(option),
      );
  }
  const { A, B } = facts.options;
  if (A !== undefined && B !== undefined && A.trim() !== '' && normalise(A) === normalise(B)) {
    report(
      'OPTIONS_IDENTICAL',
      'options A and B are the same text, so the question cannot tell the images apart',
      fields.option('B'),
    );
  }

  const [first, second] = facts.images;
  if (first.answer !== undefined && first.answer === second.answer) {
    report(
      'ANSWERS_SAME',
      `both images have answer ${first.answer}; a confusing pair needs one image per option`,
      fields.answer(1),
    );
  }
  if (first.identity !== undefined && first.identity === second.identity) {
    report('SAME_IMAGE_TWICE', `both images are ${first.identity}`, fields.identity(1));
  }

  for (const slot of IMAGE_SLOTS) {
    const categories = facts.images[slot].categories;
    if (!categories) continue;
    const seen = new Set<string>();
    categories.forEach((category, index) => {
      const relative = [...fields.categories(slot), index];
      if (seen.has(category)) {
        report('CATEGORY_DUPLICATE', `category "${category}" is listed twice for this image`, relative);
      }
      seen.add(category);
      if (context.knownCategories && !context.knownCategories.has(category)) {
        const known = [...context.knownCategories].map((c) => `"${c}"`).join(', ');
        report(
          'CATEGORY_UNKNOWN',
          `unknown category "${category}" (${context.categoriesSource} has ${known})`,
          relative,
        );
      }
    });
  }
}

/**
 * The official scoring's per-category denominators: each image adds one to each category listed for it,
 * once per pair it appears in (as the official harness counts them).
 */
export function countCategories(pairs: readonly PairFacts[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const pair of pairs) {
    for (const image of pair.images) {
      for (const category of image.categories ?? []) counts.set(category, (counts.get(category) ?? 0) + 1);
    }
  }
  return counts;
}
