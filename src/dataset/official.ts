import { stat } from 'node:fs/promises';
import path from 'node:path';
import { checkImageFiles, type ImageToCheck } from './images.js';
import {
  type ConfusingPair,
  IMAGE_SLOTS,
  type ImageSlot,
  OFFICIAL_CATEGORIES,
  type Option,
  type PairSet,
} from './model.js';
import {
  type ImageDict,
  imageDictEntrySchema,
  OFFICIAL_FILES,
  type OfficialPair,
  officialPairSchema,
  pmcArticleFromLink,
  statisticsSchema,
} from './official-files.js';
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
import type { SourceDocument } from './source-document.js';
import { formatField, isValidAt, ProblemCollector, reportZodIssues, valueAt } from './validation.js';

/** Maps one validated official record to the typed model. */
export function officialPairToModel(
  id: string,
  raw: OfficialPair,
  imageDict: ImageDict | null,
): ConfusingPair {
  const image = (slot: 1 | 2) => {
    const rocoPath = slot === 1 ? raw.im_1 : raw.im_2;
    const entry = imageDict?.[rocoPath];
    return {
      localId: String(slot === 1 ? raw.im_1_local : raw.im_2_local),
      rocoPath,
      pmcArticle: entry ? pmcArticleFromLink(entry.dlink) : null,
      figureFile: entry?.file_name ?? null,
      file: null,
      caption: (slot === 1 ? raw.cap_1 : raw.cap_2).trim(),
      categories: slot === 1 ? raw.category_1 : raw.category_2,
      correct: slot === 1 ? raw.im_1_correct : raw.im_2_correct,
    };
  };
  return {
    id,
    question: raw.question,
    options: { A: raw.option_A, B: raw.option_B },
    images: [image(1), image(2)],
    similarity: { biomedClip: raw.BiomedCLIP_sim ?? null, dino: raw.DINO_sim ?? null },
    rephrased:
      raw.AI_question && raw.AI_option_A && raw.AI_option_B
        ? { question: raw.AI_question, options: { A: raw.AI_option_A, B: raw.AI_option_B } }
        : null,
  };
}

export type { LoadOptions, LoadResult } from './pair-set.js';

const OFFICIAL_FIELDS: PairFieldPaths = {
  question: ['question'],
  option: (option: Option) => [`option_${option}`],
  answer: (slot: ImageSlot) => [`im_${slot + 1}_correct`],
  categories: (slot: ImageSlot) => [`category_${slot + 1}`],
  identity: (slot: ImageSlot) => [`im_${slot + 1}`],
};

const FETCH_HINT = 'download the dataset with `mediconfusion data fetch` or point --dir at it';

function stringAt(raw: unknown, key: string): string | undefined {
  const value = valueAt(raw, [key]);
  return typeof value === 'string' ? value : undefined;
}

/** The parts of a pair that passed the schema, for checks that span fields. */
function officialFacts(id: string, raw: unknown, valid: (key: string) => boolean): PairFacts {
  const get = (key: string) => (valid(key) ? stringAt(raw, key) : undefined);
  const image = (slot: 1 | 2): ImageFacts => {
    const facts: ImageFacts = {};
    const identity = get(`im_${slot}`);
    if (identity !== undefined) facts.identity = identity;
    const answer = get(`im_${slot}_correct`);
    if (answer === 'A' || answer === 'B') facts.answer = answer;
    const categories = valueAt(raw, [`category_${slot}`]);
    if (valid(`category_${slot}`) && Array.isArray(categories)) {
      facts.categories = categories.filter((c): c is string => typeof c === 'string');
    }
    return facts;
  };
  const question = get('question');
  const optionA = get('option_A');
  const optionB = get('option_B');
  return {
    pairId: id,
    ...(question === undefined ? {} : { question }),
    options: {
      ...(optionA === undefined ? {} : { A: optionA }),
      ...(optionB === undefined ? {} : { B: optionB }),
    },
    images: [image(1), image(2)],
  };
}

interface StatisticsResult {
  doc: SourceDocument | null;
  counts: Record<string, number> | null;
}

async function loadStatistics(file: string, collector: ProblemCollector): Promise<StatisticsResult> {
  const doc = await readDocument(file, collector, {
    required: true,
    missingHint: FETCH_HINT,
    duplicateTarget: (_parent, key) => (key === undefined ? {} : { field: formatField([key]) }),
  });
  if (!doc || doc.value === undefined) return { doc, counts: null };
  if (!isPlainObject(doc.value)) {
    collector.add(file, 'NOT_AN_OBJECT', 'expected an object of category names to counts', { path: [] }, doc);
    return { doc, counts: null };
  }
  const parsed = statisticsSchema.safeParse(doc.value);
  if (parsed.success) return { doc, counts: parsed.data };
  reportZodIssues(collector, doc, parsed.error.issues, { input: doc.value, basePath: [] });
  return { doc, counts: null };
}

interface ImageDictResult {
  doc: SourceDocument | null;
  /** Entries that passed the schema. */
  entries: ImageDict | null;
  /** Keys present in the file, valid or not, so a broken entry is not also reported as missing. */
  keys: Set<string>;
}

async function loadImageDict(file: string, collector: ProblemCollector): Promise<ImageDictResult> {
  const doc = await readDocument(file, collector, {
    required: false,
    duplicateTarget: (parent, key) => ({
      field: formatField([...parent, ...(key === undefined ? [] : [key])]),
    }),
  });
  if (!doc || doc.value === undefined) return { doc, entries: null, keys: new Set() };
  if (!isPlainObject(doc.value)) {
    collector.add(
      file,
      'NOT_AN_OBJECT',
      'expected an object of ROCO paths to image entries',
      { path: [] },
      doc,
    );
    return { doc, entries: null, keys: new Set() };
  }
  const entries: ImageDict = {};
  for (const [key, raw] of Object.entries(doc.value)) {
    const parsed = imageDictEntrySchema.safeParse(raw);
    if (parsed.success) entries[key] = parsed.data;
    else
      reportZodIssues(collector, doc, parsed.error.issues, {
        input: raw,
        basePath: [key],
        fieldPrefix: [key],
      });
  }
  return { doc, entries, keys: new Set(Object.keys(doc.value)) };
}

/** Cross-checks ROCO paths and local ids: between pairs, and against image_dict.json. */
function checkImageIdentities(
  datasetDoc: SourceDocument,
  pairs: readonly { id: string; raw: unknown; valid: (key: string) => boolean }[],
  imageDict: ImageDictResult,
  collector: ProblemCollector,
): void {
  const localOfRoco = new Map<string, { local: string; pairId: string }>();
  const rocoOfLocal = new Map<string, { roco: string; pairId: string }>();
  const missingFromDict = new Map<string, { pairId: string; field: string; users: string[] }>();
  const reportedMismatch = new Set<string>();

  for (const { id, raw, valid } of pairs) {
    for (const slot of [1, 2] as const) {
      const rocoField = `im_${slot}`;
      const localField = `im_${slot}_local`;
      if (!valid(rocoField) || !valid(localField)) continue;
      const roco = stringAt(raw, rocoField);
      const local = String(valueAt(raw, [localField]));
      if (roco === undefined) continue;

      const knownLocal = localOfRoco.get(roco);
      const knownRoco = rocoOfLocal.get(local);
      if (knownLocal && knownLocal.local !== local) {
        collector.add(
          datasetDoc.file,
          'LOCAL_ID_CONFLICT',
          `${roco} has local id ${knownLocal.local} in pair ${knownLocal.pairId} but ${local} here`,
          { pairId: id, field: localField, path: [id, localField] },
          datasetDoc,
        );
      } else if (knownRoco && knownRoco.roco !== roco) {
        collector.add(
          datasetDoc.file,
          'LOCAL_ID_CONFLICT',
          `local id ${local} is ${knownRoco.roco} in pair ${knownRoco.pairId} but ${roco} here`,
          { pairId: id, field: localField, path: [id, localField] },
          datasetDoc,
        );
      }
      if (!knownLocal) localOfRoco.set(roco, { local, pairId: id });
      if (!knownRoco) rocoOfLocal.set(local, { roco, pairId: id });

      if (!imageDict.doc || !imageDict.entries) continue;
      const entry = imageDict.entries[roco];
      if (!entry) {
        if (imageDict.keys.has(roco)) continue;
        const missing = missingFromDict.get(roco);
        if (missing) missing.users.push(id);
        else missingFromDict.set(roco, { pairId: id, field: rocoField, users: [id] });
      } else if (String(entry.local) !== local && !reportedMismatch.has(`${roco}\n${local}`)) {
        reportedMismatch.add(`${roco}\n${local}`);
        collector.add(
          imageDict.doc.file,
          'IMAGE_DICT_LOCAL_MISMATCH',
          `local is ${String(entry.local)} but pair ${id} (${localField} in ${OFFICIAL_FILES.dataset}) says ${local}`,
          { pairId: id, field: formatField([roco, 'local']), path: [roco, 'local'] },
          imageDict.doc,
        );
      }
    }
  }

  if (imageDict.doc) {
    for (const [roco, { pairId, field, users }] of missingFromDict) {
      const others = users.filter((u) => u !== pairId);
      collector.add(
        imageDict.doc.file,
        'IMAGE_DICT_MISSING',
        `no entry for ${roco} (${field} of pair ${pairId}${others.length ? `, also used by ${others.join(', ')}` : ''})`,
        { pairId, field: formatField([roco]) },
      );
    }
  }
}

function checkStatistics(
  statistics: StatisticsResult,
  computed: Map<string, number>,
  collector: ProblemCollector,
): void {
  if (!statistics.doc || !statistics.counts) return;
  for (const [category, stated] of Object.entries(statistics.counts)) {
    const actual = computed.get(category) ?? 0;
    if (actual !== stated) {
      collector.add(
        statistics.doc.file,
        'STATISTICS_MISMATCH',
        `says ${stated} but the pairs of ${OFFICIAL_FILES.dataset} give ${actual} (one per image per pair listing it)`,
        { field: formatField([category]), path: [category] },
        statistics.doc,
      );
    }
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Loads the official dataset folder (dataset.json, statistics.json, image_dict.json when present, and
 * with `checkImages` the images) and reports every problem it finds, each with file, pair, field and
 * line. Never throws for bad data; see {@link loadOfficialSetStrict} for the throwing form.
 */
export async function loadOfficialSet(dataDir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const collector = new ProblemCollector();
  const datasetFile = path.join(dataDir, OFFICIAL_FILES.dataset);
  const imagesDir = options.imagesDir ?? path.join(dataDir, OFFICIAL_FILES.imagesDir);

  const [datasetDoc, statistics, imageDict] = await Promise.all([
    readDocument(datasetFile, collector, {
      required: true,
      missingHint: FETCH_HINT,
      duplicateTarget: (parent, key) => {
        const [pairId, ...rest] = [...parent, ...(key === undefined ? [] : [key])];
        return {
          ...(pairId === undefined ? {} : { pairId: String(pairId) }),
          ...(rest.length ? { field: formatField(rest) } : {}),
        };
      },
    }),
    loadStatistics(path.join(dataDir, OFFICIAL_FILES.statistics), collector),
    loadImageDict(path.join(dataDir, OFFICIAL_FILES.imageDict), collector),
  ]);

  const categories = statistics.counts ? Object.keys(statistics.counts) : [...OFFICIAL_CATEGORIES];
  const knownCategories = new Set(categories);
  const pairs: ConfusingPair[] = [];
  const facts: PairFacts[] = [];
  let countsComplete = datasetDoc?.value !== undefined;

  if (datasetDoc && datasetDoc.value !== undefined) {
    if (!isPlainObject(datasetDoc.value)) {
      collector.add(
        datasetFile,
        'NOT_AN_OBJECT',
        'expected an object of pair ids to pairs',
        { path: [] },
        datasetDoc,
      );
      countsComplete = false;
    } else {
      const checked: { id: string; raw: unknown; valid: (key: string) => boolean }[] = [];
      for (const [id, raw] of Object.entries(datasetDoc.value)) {
        if (!isPlainObject(raw)) {
          collector.add(
            datasetFile,
            'NOT_AN_OBJECT',
            'a pair must be an object',
            { pairId: id, path: [id] },
            datasetDoc,
          );
          countsComplete = false;
          continue;
        }
        const parsed = officialPairSchema.safeParse(raw);
        const issues = parsed.success ? [] : parsed.error.issues;
        reportZodIssues(collector, datasetDoc, issues, { input: raw, basePath: [id], pairId: id });
        const valid = (key: string) => isValidAt(issues, [key]);
        if (!valid('category_1') || !valid('category_2')) countsComplete = false;
        const pairFacts = officialFacts(id, raw, valid);
        facts.push(pairFacts);
        checkPairFacts(pairFacts, {
          collector,
          doc: datasetDoc,
          pairPath: [id],
          fields: OFFICIAL_FIELDS,
          knownCategories,
          categoriesSource: statistics.counts ? OFFICIAL_FILES.statistics : 'the official category list',
        });
        checked.push({ id, raw, valid });
        if (parsed.success) pairs.push(officialPairToModel(id, parsed.data, imageDict.entries));
      }
      checkImageIdentities(datasetDoc, checked, imageDict, collector);
    }
  }

  const computed = countCategories(facts);
  // Counts from a partly unreadable dataset would blame statistics.json for the dataset's own faults.
  if (countsComplete) checkStatistics(statistics, computed, collector);

  const set: PairSet = {
    name: 'official',
    pairs,
    categories,
    categoryCounts: statistics.counts ?? Object.fromEntries(categories.map((c) => [c, computed.get(c) ?? 0])),
    imagesDir,
  };

  if (options.checkImages && datasetDoc) {
    if (!(await isDirectory(imagesDir))) {
      collector.add(
        imagesDir,
        'IMAGES_DIR_MISSING',
        `images folder not found; ${FETCH_HINT} (or pass --images DIR)`,
      );
    } else {
      const problems = await checkImageFiles(officialImagesToCheck(set, datasetDoc), imagesDir, options);
      collector.problems.push(...problems);
    }
  }
  return { set, problems: collector.problems };
}

/** The distinct images of the official set (by local id), each with the pairs and fields using it. */
function officialImagesToCheck(set: PairSet, doc: SourceDocument): ImageToCheck[] {
  const byLocal = new Map<string, ImageToCheck>();
  for (const pair of set.pairs) {
    for (const slot of IMAGE_SLOTS) {
      const image = pair.images[slot];
      const field = `im_${slot + 1}_local`;
      const position = doc.locate([pair.id, field]);
      const reference = { file: doc.file, pairId: pair.id, field, ...(position ? { position } : {}) };
      const known = byLocal.get(image.localId);
      if (known) known.references.push(reference);
      else byLocal.set(image.localId, { image, references: [reference] });
    }
  }
  return [...byLocal.values()];
}

/**
 * Loads the official set or throws a UserFacingError (`DATASET_INVALID`) listing every problem.
 * JSON files only unless `checkImages` is set.
 */
export async function loadOfficialSetStrict(dataDir: string, options: LoadOptions = {}): Promise<PairSet> {
  const { set, problems } = await loadOfficialSet(dataDir, options);
  if (problems.length > 0) throw datasetInvalidError(`The dataset in ${dataDir}`, problems);
  return set;
}
