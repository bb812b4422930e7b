import path from 'node:path';
import {
  type CustomImage,
  type CustomPair,
  customPairSchema,
  customSetHeaderSchema,
} from './custom-set-format.js';
import { checkImageFiles, type ImageToCheck } from './images.js';
import type { ConfusingPair, ImageSlot, Option, PairImage, PairSet } from './model.js';
import {
  checkPairFacts,
  countCategories,
  type ImageFacts,
  type PairFacts,
  type PairFieldPaths,
} from './pair-checks.js';
import type { LoadOptions, LoadResult } from './pair-set.js';
import { datasetInvalidError } from './problems.js';
import { isPlainObject, readDocument } from './read-document.js';
import type { DocPath, SourceDocument } from './source-document.js';
import { formatField, isValidAt, ProblemCollector, reportZodIssues, valueAt } from './validation.js';

const CUSTOM_FIELDS: PairFieldPaths = {
  question: ['question'],
  option: (option: Option) => ['options', option],
  answer: (slot: ImageSlot) => ['images', slot, 'answer'],
  categories: (slot: ImageSlot) => ['images', slot, 'categories'],
  identity: (slot: ImageSlot) => ['images', slot, 'file'],
};

/** How a pair is named in problems: its id when it has a usable one, else its place in the list. */
function pairLabel(raw: unknown, index: number): string {
  const id = valueAt(raw, ['id']);
  if (typeof id === 'string' && id.trim() !== '') return id.trim();
  if (typeof id === 'number' && Number.isInteger(id)) return String(id);
  return `pairs[${index}]`;
}

function resolveImageFile(setDir: string, file: string): string {
  return path.resolve(setDir, file);
}

/**
 * True when `file` is inside `dir` (not the folder itself). A set's images are served to every participant
 * by the web quiz, so an image path such as `../../etc/passwd` or `/etc/passwd` would publish any file the
 * server can read; links are followed by the image check (realpath) before the files are opened.
 */
export function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !path.isAbsolute(relative) && relative.split(path.sep)[0] !== '..';
}

/** Default image id: the file's path relative to the set, without extension, so one file keeps one id. */
function defaultImageId(setDir: string, file: string): string {
  const relative = path.relative(setDir, file).split(path.sep).join('/');
  return relative.replace(/\.[^./]+$/, '');
}

function customFacts(
  label: string,
  raw: unknown,
  issues: Parameters<typeof isValidAt>[0],
  setDir: string,
): PairFacts {
  const stringAt = (fieldPath: readonly PropertyKey[]) => {
    if (!isValidAt(issues, fieldPath)) return undefined;
    const value = valueAt(raw, fieldPath);
    return typeof value === 'string' ? value : undefined;
  };
  const image = (slot: ImageSlot): ImageFacts => {
    const facts: ImageFacts = {};
    const file = stringAt(['images', slot, 'file']);
    if (file !== undefined) facts.identity = resolveImageFile(setDir, file);
    const answer = stringAt(['images', slot, 'answer']);
    if (answer === 'A' || answer === 'B') facts.answer = answer;
    const categories = valueAt(raw, ['images', slot, 'categories']);
    if (isValidAt(issues, ['images', slot, 'categories']) && Array.isArray(categories)) {
      facts.categories = categories.filter((c): c is string => typeof c === 'string');
    }
    return facts;
  };
  const facts: PairFacts = { pairId: label, options: {}, images: [image(0), image(1)] };
  const question = stringAt(['question']);
  if (question !== undefined) facts.question = question;
  const optionA = stringAt(['options', 'A']);
  if (optionA !== undefined) facts.options.A = optionA;
  const optionB = stringAt(['options', 'B']);
  if (optionB !== undefined) facts.options.B = optionB;
  return facts;
}

function customPairToModel(pair: CustomPair, setDir: string): ConfusingPair {
  const image = (raw: CustomImage): PairImage => {
    const file = resolveImageFile(setDir, raw.file);
    return {
      localId: raw.id === undefined ? defaultImageId(setDir, file) : String(raw.id),
      rocoPath: raw.roco ?? null,
      pmcArticle: raw.pmc ?? null,
      figureFile: raw.figure ?? null,
      file,
      caption: (raw.caption ?? '').trim(),
      categories: raw.categories,
      correct: raw.answer,
    };
  };
  const [first, second] = pair.images;
  if (!first || !second) throw new Error('a validated pair has two images');
  return {
    id: String(pair.id).trim(),
    question: pair.question,
    options: { A: pair.options.A, B: pair.options.B },
    images: [image(first), image(second)],
    similarity: { biomedClip: pair.similarity?.biomedClip ?? null, dino: pair.similarity?.dino ?? null },
  };
}

/** Two different files must not share an image id: results and caches are keyed by it. */
function checkImageIds(
  pairs: readonly { pair: ConfusingPair; index: number }[],
  doc: SourceDocument,
  collector: ProblemCollector,
) {
  const fileOfId = new Map<string, { file: string; pairId: string }>();
  for (const { pair, index } of pairs) {
    pair.images.forEach((image, slot) => {
      const known = fileOfId.get(image.localId);
      if (!known) {
        fileOfId.set(image.localId, { file: image.file ?? '', pairId: pair.id });
      } else if (known.file !== image.file) {
        const docPath: DocPath = ['pairs', index, 'images', slot, 'id'];
        collector.add(
          doc.file,
          'LOCAL_ID_CONFLICT',
          `image id "${image.localId}" is also used by pair ${known.pairId} for a different file`,
          { pairId: pair.id, field: formatField(['images', slot, 'id']), path: docPath },
          doc,
        );
      }
    });
  }
}

/**
 * Loads an educator's pair set (YAML or JSON, see custom-set-format.ts) and reports every problem,
 * each with file, pair id, field and line. Image paths are relative to the set file.
 */
export async function loadCustomSet(
  file: string,
  options: Omit<LoadOptions, 'imagesDir'> = {},
): Promise<LoadResult> {
  const setFile = path.resolve(file);
  const setDir = path.dirname(setFile);
  const collector = new ProblemCollector();
  const emptySet: PairSet = {
    name: path.basename(setFile).replace(/\.[^.]+$/, ''),
    pairs: [],
    categories: [],
    categoryCounts: {},
    imagesDir: setDir,
  };

  const doc = await readDocument(setFile, collector, {
    required: true,
    duplicateTarget: (parent, key, value) => {
      const fieldPath = [...parent, ...(key === undefined ? [] : [key])];
      if (fieldPath[0] === 'pairs' && typeof fieldPath[1] === 'number') {
        return {
          pairId: pairLabel(valueAt(value, ['pairs', fieldPath[1]]), fieldPath[1]),
          field: formatField(fieldPath.slice(2)),
        };
      }
      return { field: formatField(fieldPath) };
    },
  });
  if (!doc || doc.value === undefined) return { set: emptySet, problems: collector.problems };
  const root = doc.value;
  if (!isPlainObject(root)) {
    collector.add(
      setFile,
      'NOT_AN_OBJECT',
      'expected a mapping with name, categories and pairs',
      { path: [] },
      doc,
    );
    return { set: emptySet, problems: collector.problems };
  }

  const header = customSetHeaderSchema.safeParse(root);
  const headerIssues = header.success ? [] : header.error.issues;
  reportZodIssues(collector, doc, headerIssues, { input: root, basePath: [] });

  const declared =
    isValidAt(headerIssues, ['categories']) && Array.isArray(root.categories) ? root.categories : null;
  const categories: string[] = [];
  declared?.forEach((category, index) => {
    if (typeof category !== 'string') return;
    if (categories.includes(category)) {
      collector.add(
        setFile,
        'CATEGORY_DUPLICATE',
        `category "${category}" is declared twice`,
        { field: `categories[${index}]`, path: ['categories', index] },
        doc,
      );
    } else {
      categories.push(category);
    }
  });

  const rawPairs = Array.isArray(root.pairs) ? root.pairs : [];
  const models: { pair: ConfusingPair; index: number }[] = [];
  const facts: PairFacts[] = [];
  const firstIndexOfId = new Map<string, number>();

  rawPairs.forEach((raw: unknown, index: number) => {
    const label = pairLabel(raw, index);
    const pairPath: DocPath = ['pairs', index];
    if (!isPlainObject(raw)) {
      collector.add(
        setFile,
        'NOT_AN_OBJECT',
        'a pair must be a mapping',
        { pairId: label, path: pairPath },
        doc,
      );
      return;
    }
    const parsed = customPairSchema.safeParse(raw);
    const issues = parsed.success ? [] : parsed.error.issues;
    reportZodIssues(collector, doc, issues, { input: raw, basePath: pairPath, pairId: label });

    if (!label.startsWith('pairs[')) {
      const first = firstIndexOfId.get(label);
      if (first === undefined) {
        firstIndexOfId.set(label, index);
      } else {
        const firstLine = doc.locate(['pairs', first, 'id'])?.line;
        collector.add(
          setFile,
          'DUPLICATE_ID',
          `pair id "${label}" is already used by pairs[${first}]${firstLine ? ` (line ${firstLine})` : ''}`,
          { pairId: label, field: 'id', path: [...pairPath, 'id'] },
          doc,
        );
      }
    }

    for (const slot of [0, 1] as const) {
      const fieldPath = ['images', slot, 'file'] as const;
      const file = isValidAt(issues, fieldPath) ? valueAt(raw, fieldPath) : undefined;
      if (typeof file === 'string' && !isInside(setDir, resolveImageFile(setDir, file))) {
        collector.add(
          setFile,
          'IMAGE_OUTSIDE_SET',
          `image "${file}" is outside the set's folder ${setDir}; every image must be in that folder or below it`,
          { pairId: label, field: formatField(fieldPath), path: [...pairPath, ...fieldPath] },
          doc,
        );
      }
    }

    const pairFacts = customFacts(label, raw, issues, setDir);
    facts.push(pairFacts);
    checkPairFacts(pairFacts, {
      collector,
      doc,
      pairPath,
      fields: CUSTOM_FIELDS,
      ...(declared ? { knownCategories: new Set(categories) } : {}),
      categoriesSource: 'the set\'s "categories"',
    });
    if (parsed.success) models.push({ pair: customPairToModel(parsed.data, setDir), index });
  });

  checkImageIds(models, doc, collector);

  const computed = countCategories(facts);
  const order = declared ? categories : [...computed.keys()];
  const set: PairSet = {
    name: header.success ? header.data.name : emptySet.name,
    pairs: models.map((m) => m.pair),
    categories: order,
    categoryCounts: Object.fromEntries(order.map((c) => [c, computed.get(c) ?? 0])),
    imagesDir: setDir,
  };

  if (options.checkImages) {
    const problems = await checkImageFiles(customImagesToCheck(models, doc), setDir, {
      ...options,
      containedIn: setDir,
    });
    collector.problems.push(...problems);
  }
  return { set, problems: collector.problems };
}

/** The distinct image files of a custom set, each with the pairs and fields using it. */
function customImagesToCheck(
  models: readonly { pair: ConfusingPair; index: number }[],
  doc: SourceDocument,
): ImageToCheck[] {
  const byFile = new Map<string, ImageToCheck>();
  for (const { pair, index } of models) {
    pair.images.forEach((image, slot) => {
      const key = image.file ?? image.localId;
      const position = doc.locate(['pairs', index, 'images', slot, 'file']);
      const reference = {
        file: doc.file,
        pairId: pair.id,
        field: formatField(['images', slot, 'file']),
        ...(position ? { position } : {}),
      };
      const known = byFile.get(key);
      if (known) known.references.push(reference);
      else byFile.set(key, { image, references: [reference] });
    });
  }
  return [...byFile.values()];
}

/** Loads a custom set or throws a UserFacingError (`DATASET_INVALID`) listing every problem. */
export async function loadCustomSetStrict(
  file: string,
  options: Omit<LoadOptions, 'imagesDir'> = {},
): Promise<PairSet> {
  const { set, problems } = await loadCustomSet(file, options);
  if (problems.length > 0) throw datasetInvalidError(`The pair set ${file}`, problems);
  return set;
}
