import { mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadOfficialSet } from '../../src/dataset/official.js';
import type { Problem, ProblemCode } from '../../src/dataset/problems.js';
import {
  editPairs,
  editText,
  fileText,
  freshOfficialDir,
  type JsonObject,
  lineOf,
  readJson,
  writeJson,
} from './data-dirs.js';

/** What a test expects of one problem; `line` is found in the file after the fault is made. */
interface Expected {
  code: ProblemCode;
  /** Relative to the data folder. */
  file: string;
  pairId?: string;
  field?: string;
  line?: { needle: string; after?: string; last?: boolean };
  column?: number;
}

interface FaultCase {
  name: string;
  arrange: (dir: string) => Promise<void>;
  checkImages?: boolean;
  expected: Expected[];
}

const ROCO_28778 = 'train/radiology/images/ROCO_28778.jpg';
const ROCO_62117 = 'train/radiology/images/ROCO_62117.jpg';

async function editImageDict(dir: string, edit: (dict: Record<string, JsonObject>) => void) {
  const dict = (await readJson(dir, 'image_dict.json')) as Record<string, JsonObject>;
  edit(dict);
  await writeJson(dir, 'image_dict.json', dict);
}

async function editStatistics(dir: string, edit: (stats: JsonObject) => void) {
  const stats = await readJson(dir, 'statistics.json');
  edit(stats);
  await writeJson(dir, 'statistics.json', stats);
}

const image = (dir: string, local: string) => path.join(dir, 'images', `${local}.jpg`);

const OFFICIAL_FAULTS: FaultCase[] = [
  {
    name: 'dataset.json is missing',
    arrange: (dir) => rm(path.join(dir, 'dataset.json')),
    expected: [{ code: 'FILE_MISSING', file: 'dataset.json' }],
  },
  {
    name: 'dataset.json is not valid JSON (a comma is missing)',
    arrange: async (dir) => {
      await editText(dir, 'dataset.json', (text) =>
        text.replace(`"im_1": "${ROCO_28778}",`, `"im_1": "${ROCO_28778}"`),
      );
    },
    expected: [{ code: 'JSON_SYNTAX', file: 'dataset.json', line: { needle: '"im_2"' }, column: 9 }],
  },
  {
    name: 'a pair id appears twice in dataset.json',
    arrange: async (dir) => {
      await editText(dir, 'dataset.json', (text) => {
        const copy = JSON.stringify(JSON.parse(text)['10001'], null, 4).replace(/\n/g, '\n    ');
        return text.replace(/\n}\s*$/, `,\n    "10001": ${copy}\n}\n`);
      });
    },
    expected: [
      {
        code: 'DUPLICATE_KEY',
        file: 'dataset.json',
        pairId: '10001',
        line: { needle: '"10001"', last: true },
      },
    ],
  },
  {
    name: 'a field appears twice in one pair',
    arrange: async (dir) => {
      await editText(dir, 'dataset.json', (text) => {
        const at = text.indexOf('"option_A"', text.indexOf('"10002"'));
        return `${text.slice(0, at)}"question": "A second question?",\n        ${text.slice(at)}`;
      });
    },
    expected: [
      {
        code: 'DUPLICATE_KEY',
        file: 'dataset.json',
        pairId: '10002',
        field: 'question',
        line: { needle: '"question": "A second question?"' },
      },
    ],
  },
  {
    name: 'a required field is missing',
    arrange: (dir) => editPairs(dir, (pairs) => void delete pairs['10003']?.option_B),
    expected: [
      {
        code: 'FIELD_MISSING',
        file: 'dataset.json',
        pairId: '10003',
        field: 'option_B',
        line: { needle: '"10003"' },
      },
    ],
  },
  {
    name: 'a category list is a string',
    arrange: (dir) =>
      editPairs(dir, (pairs) => Object.assign(pairs['10004'] ?? {}, { category_1: 'Cerebral' })),
    expected: [{ code: 'FIELD_TYPE', file: 'dataset.json', pairId: '10004', field: 'category_1' }],
  },
  {
    name: 'a local image id is a boolean',
    arrange: (dir) => editPairs(dir, (pairs) => Object.assign(pairs['10004'] ?? {}, { im_2_local: true })),
    expected: [
      {
        code: 'FIELD_TYPE',
        file: 'dataset.json',
        pairId: '10004',
        field: 'im_2_local',
        line: { needle: '"im_2_local": true' },
      },
    ],
  },
  {
    name: 'an answer letter is neither A nor B',
    arrange: (dir) => editPairs(dir, (pairs) => Object.assign(pairs['10005'] ?? {}, { im_1_correct: 'C' })),
    expected: [
      {
        code: 'ANSWER_INVALID',
        file: 'dataset.json',
        pairId: '10005',
        field: 'im_1_correct',
        line: { needle: '"im_1_correct": "C"' },
        column: 25,
      },
    ],
  },
  {
    name: 'both images of a pair have the same answer',
    arrange: (dir) => editPairs(dir, (pairs) => Object.assign(pairs['10006'] ?? {}, { im_2_correct: 'B' })),
    expected: [{ code: 'ANSWERS_SAME', file: 'dataset.json', pairId: '10006', field: 'im_2_correct' }],
  },
  {
    name: 'a question is only spaces',
    arrange: (dir) => editPairs(dir, (pairs) => Object.assign(pairs['10007'] ?? {}, { question: '   ' })),
    expected: [{ code: 'TEXT_EMPTY', file: 'dataset.json', pairId: '10007', field: 'question' }],
  },
  {
    name: 'an option is empty',
    arrange: (dir) => editPairs(dir, (pairs) => Object.assign(pairs['10007'] ?? {}, { option_A: '' })),
    expected: [{ code: 'TEXT_EMPTY', file: 'dataset.json', pairId: '10007', field: 'option_A' }],
  },
  {
    name: 'options A and B are the same text',
    arrange: (dir) =>
      editPairs(dir, (pairs) => {
        const pair = pairs['10008'] ?? {};
        pair.option_B = ` ${String(pair.option_A).toUpperCase()} `;
      }),
    expected: [{ code: 'OPTIONS_IDENTICAL', file: 'dataset.json', pairId: '10008', field: 'option_B' }],
  },
  {
    name: 'an image has a category statistics.json does not know',
    arrange: (dir) =>
      editPairs(dir, (pairs) => {
        const pair = pairs['10009'] ?? {};
        pair.category_2 = [...(pair.category_2 as string[]), 'Dental'];
      }),
    expected: [
      {
        code: 'CATEGORY_UNKNOWN',
        file: 'dataset.json',
        pairId: '10009',
        field: 'category_2[3]',
        line: { needle: '"Dental"' },
      },
    ],
  },
  {
    name: 'an image lists a category twice (and so no longer matches statistics.json)',
    arrange: (dir) =>
      editPairs(dir, (pairs) =>
        Object.assign(pairs['10009'] ?? {}, { category_1: ['Cerebral', 'Cerebral'] }),
      ),
    expected: [
      { code: 'CATEGORY_DUPLICATE', file: 'dataset.json', pairId: '10009', field: 'category_1[1]' },
      { code: 'STATISTICS_MISMATCH', file: 'statistics.json', field: 'Cerebral' },
    ],
  },
  {
    name: 'a statistics.json count disagrees with the pairs',
    arrange: (dir) => editStatistics(dir, (stats) => Object.assign(stats, { Spinal: 50 })),
    expected: [
      {
        code: 'STATISTICS_MISMATCH',
        file: 'statistics.json',
        field: 'Spinal',
        line: { needle: '"Spinal"' },
        column: 15,
      },
    ],
  },
  {
    name: 'statistics.json is missing',
    arrange: (dir) => rm(path.join(dir, 'statistics.json')),
    expected: [{ code: 'FILE_MISSING', file: 'statistics.json' }],
  },
  {
    name: 'a statistics.json count is text',
    arrange: (dir) => editStatistics(dir, (stats) => Object.assign(stats, { Cardiac: '52' })),
    expected: [
      { code: 'FIELD_TYPE', file: 'statistics.json', field: 'Cardiac', line: { needle: '"Cardiac"' } },
    ],
  },
  {
    name: 'image_dict.json has no entry for a ROCO path a pair uses',
    arrange: (dir) => editImageDict(dir, (dict) => void delete dict[ROCO_28778]),
    expected: [
      { code: 'IMAGE_DICT_MISSING', file: 'image_dict.json', pairId: '10001', field: `["${ROCO_28778}"]` },
    ],
  },
  {
    name: 'image_dict.json gives another local id than the pair',
    arrange: (dir) => editImageDict(dir, (dict) => Object.assign(dict[ROCO_62117] ?? {}, { local: 29999 })),
    expected: [
      {
        code: 'IMAGE_DICT_LOCAL_MISMATCH',
        file: 'image_dict.json',
        pairId: '10001',
        field: `["${ROCO_62117}"].local`,
        line: { needle: '"local": 29999' },
      },
    ],
  },
  {
    name: 'an image_dict.json entry has a link of the wrong type',
    arrange: (dir) => editImageDict(dir, (dict) => Object.assign(dict[ROCO_28778] ?? {}, { dlink: 5 })),
    expected: [{ code: 'FIELD_TYPE', file: 'image_dict.json', field: `["${ROCO_28778}"].dlink` }],
  },
  {
    name: 'one ROCO image gets two local ids in dataset.json',
    arrange: (dir) => editPairs(dir, (pairs) => Object.assign(pairs['10002'] ?? {}, { im_1_local: 29999 })),
    expected: [
      { code: 'LOCAL_ID_CONFLICT', file: 'dataset.json', pairId: '10002', field: 'im_1_local' },
      {
        code: 'IMAGE_DICT_LOCAL_MISMATCH',
        file: 'image_dict.json',
        pairId: '10002',
        field: `["${ROCO_28778}"].local`,
      },
    ],
  },
  {
    name: 'both images of a pair are the same picture',
    arrange: (dir) =>
      editPairs(dir, (pairs) => {
        const pair = pairs['10010'] ?? {};
        Object.assign(pair, { im_2: pair.im_1, im_2_local: pair.im_1_local });
      }),
    expected: [{ code: 'SAME_IMAGE_TWICE', file: 'dataset.json', pairId: '10010', field: 'im_2' }],
  },
  {
    name: 'a pair is not an object',
    arrange: (dir) => editPairs(dir, (pairs) => Object.assign(pairs, { '10011': 'oops' })),
    expected: [{ code: 'NOT_AN_OBJECT', file: 'dataset.json', pairId: '10011' }],
  },
  {
    name: 'dataset.json holds a list instead of an object',
    arrange: (dir) => writeJson(dir, 'dataset.json', []),
    expected: [{ code: 'NOT_AN_OBJECT', file: 'dataset.json' }],
  },
  {
    name: 'an image is missing from the images folder',
    checkImages: true,
    arrange: (dir) => rm(image(dir, '20192')),
    expected: [
      {
        code: 'IMAGE_MISSING',
        file: 'dataset.json',
        pairId: '10001',
        field: 'im_1_local',
        line: { needle: '"im_1_local": 20192', after: '"10001"' },
      },
    ],
  },
  {
    name: 'an image is a truncated JPEG',
    checkImages: true,
    arrange: async (dir) => {
      const file = image(dir, '20053');
      await truncate(file, (await readFile(file)).length - 40);
    },
    expected: [{ code: 'IMAGE_CORRUPT', file: 'images/20053.jpg', pairId: '10001', field: 'im_2_local' }],
  },
  {
    name: 'an image file holds text, not an image',
    checkImages: true,
    arrange: (dir) => writeFile(image(dir, '20014'), 'not a picture'),
    expected: [{ code: 'IMAGE_CORRUPT', file: 'images/20014.jpg', pairId: '10002', field: 'im_2_local' }],
  },
  {
    name: 'an image path is a folder',
    checkImages: true,
    arrange: async (dir) => {
      await rm(image(dir, '20040'));
      await mkdir(image(dir, '20040'));
    },
    expected: [{ code: 'IMAGE_UNREADABLE', file: 'images/20040.jpg', pairId: '10003', field: 'im_2_local' }],
  },
  {
    name: 'an image is a TIFF that model APIs would refuse',
    checkImages: true,
    arrange: async (dir) => {
      const tiff = await sharp(image(dir, '20069')).tiff().toBuffer();
      await writeFile(image(dir, '20069'), tiff);
    },
    expected: [
      { code: 'IMAGE_FORMAT_UNSUPPORTED', file: 'images/20069.jpg', pairId: '10004', field: 'im_1_local' },
    ],
  },
  {
    name: 'the images folder is missing',
    checkImages: true,
    arrange: (dir) => rm(path.join(dir, 'images'), { recursive: true }),
    expected: [{ code: 'IMAGES_DIR_MISSING', file: 'images' }],
  },
];

/** The comparable part of a problem: code and location, the file relative to the data folder. */
function located(dir: string, problem: Problem) {
  return {
    code: problem.code,
    file: path.relative(dir, problem.file),
    pairId: problem.pairId,
    field: problem.field,
  };
}

async function expectedLine(dir: string, expected: Expected): Promise<number | undefined> {
  if (!expected.line) return undefined;
  const text = await fileText(dir, expected.file);
  const { needle, after, last } = expected.line;
  return last ? text.slice(0, text.lastIndexOf(needle)).split('\n').length : lineOf(text, needle, after);
}

describe('official dataset validation reports each fault where it is', () => {
  it('has at least fifteen distinct faults under test', () => {
    expect(new Set(OFFICIAL_FAULTS.map((c) => c.name)).size).toBeGreaterThanOrEqual(15);
  });

  for (const fault of OFFICIAL_FAULTS) {
    it(`reports when ${fault.name}`, async () => {
      const dir = await freshOfficialDir();
      await fault.arrange(dir);

      const { problems } = await loadOfficialSet(dir, { checkImages: fault.checkImages ?? false });

      const withoutLines = fault.expected.map(({ line: _line, column: _column, ...rest }) => rest);
      expect(problems.map((p) => located(dir, p))).toEqual(withoutLines);
      for (const expected of fault.expected) {
        const problem = problems.find(
          (p) => p.code === expected.code && path.relative(dir, p.file) === expected.file,
        );
        const line = await expectedLine(dir, expected);
        if (line !== undefined) expect(problem?.line, `line of ${expected.code}`).toBe(line);
        if (expected.column !== undefined)
          expect(problem?.column, `column of ${expected.code}`).toBe(expected.column);
        expect(problem?.message.length).toBeGreaterThan(5);
      }
    });
  }
});

describe('official dataset validation with many faults at once', () => {
  // Faults that do not mask one another; the text edit (duplicate key) goes last so later
  // rewrites of dataset.json do not undo it.
  const combined = [
    'a required field is missing',
    'an answer letter is neither A nor B',
    'both images of a pair have the same answer',
    'options A and B are the same text',
    'an image has a category statistics.json does not know',
    'a statistics.json count disagrees with the pairs',
    'image_dict.json has no entry for a ROCO path a pair uses',
    'image_dict.json gives another local id than the pair',
    'an image is missing from the images folder',
    'an image is a truncated JPEG',
    'an image file holds text, not an image',
    'a field appears twice in one pair',
  ];

  it('reports every one of them, each at its own location', async () => {
    const cases = combined.map((name) => {
      const found = OFFICIAL_FAULTS.find((c) => c.name === name);
      if (!found) throw new Error(`no fault named "${name}"`);
      return found;
    });
    const dir = await freshOfficialDir();
    for (const fault of cases) await fault.arrange(dir);

    const { set, problems } = await loadOfficialSet(dir, { checkImages: true });

    const expected = cases.flatMap((c) =>
      c.expected.map(({ line: _line, column: _column, ...rest }) => rest),
    );
    expect(problems.map((p) => located(dir, p))).toEqual(expect.arrayContaining(expected));
    expect(problems).toHaveLength(expected.length);
    // Pairs that failed the schema are left out; the rest are still loaded.
    expect(set.pairs.map((p) => p.id)).not.toContain('10003');
    expect(set.pairs.map((p) => p.id)).not.toContain('10005');
    expect(set.pairs).toHaveLength(174);
  });
});
