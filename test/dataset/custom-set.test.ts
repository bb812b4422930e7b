import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCustomSet, loadCustomSetStrict } from '../../src/dataset/custom.js';
import { summarizeSet } from '../../src/dataset/pair-set.js';
import type { Problem, ProblemCode } from '../../src/dataset/problems.js';
import { UserFacingError } from '../../src/errors.js';
import { type CustomSetValue, copyExampleSet, EXAMPLE_SET, lineOf, writeCustomSet } from './data-dirs.js';

const EXAMPLE_DIR = path.dirname(EXAMPLE_SET);

describe('the committed example custom set', () => {
  it('loads cleanly, images included', async () => {
    const { set, problems } = await loadCustomSet(EXAMPLE_SET, { checkImages: true });

    expect(problems).toEqual([]);
    expect(summarizeSet(set)).toEqual({ name: 'example-synthetic', pairs: 2, images: 4, categories: 2 });
    expect(set.categories).toEqual(['Pulmonary', 'Cerebral']);
    expect(set.categoryCounts).toEqual({ Pulmonary: 2, Cerebral: 2 });
    expect(set.imagesDir).toBe(EXAMPLE_DIR);
  });

  it('resolves image paths against the set file and gives each image a stable id', async () => {
    const { set } = await loadCustomSet(EXAMPLE_SET);
    const [chest, head] = set.pairs;

    expect(chest?.images[0]).toMatchObject({
      file: path.join(EXAMPLE_DIR, 'images', 'chest-nodule.jpg'),
      localId: 'images/chest-nodule',
      correct: 'A',
      categories: ['Pulmonary'],
      rocoPath: null,
      pmcArticle: null,
    });
    expect(head?.images[1].localId).toBe('head-right');
    expect(head?.similarity).toEqual({ biomedClip: null, dino: null });
  });

  it('ships four distinct pictures', async () => {
    const { set } = await loadCustomSet(EXAMPLE_SET);
    const files = set.pairs.flatMap((pair) => pair.images.map((image) => image.file ?? ''));
    const digests = await Promise.all(
      files.map(async (file) =>
        createHash('sha256')
          .update(await readFile(file))
          .digest('hex'),
      ),
    );
    expect(new Set(digests).size).toBe(4);
  });

  it('reads the same set written as JSON', async () => {
    const dir = await copyExampleSet();
    const { file } = await writeCustomSet(dir, 'set.json');

    const { set, problems } = await loadCustomSet(file, { checkImages: true });

    expect(problems).toEqual([]);
    expect(set.pairs.map((p) => p.id)).toEqual(['chest-01', 'head-01']);
  });

  it('strict loading throws DATASET_INVALID naming the set file', async () => {
    const dir = await copyExampleSet();
    const { file } = await writeCustomSet(dir, 'broken.yaml', (set) => {
      Object.assign(set.pairs[1]?.images[1] ?? {}, { answer: 'A' });
    });

    const error = await loadCustomSetStrict(file).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).code).toBe('DATASET_INVALID');
    expect((error as UserFacingError).message).toMatch(
      /broken\.yaml: pair head-01, images\[1\]\.answer \(line \d+/,
    );
  });
});

interface CustomFault {
  name: string;
  /** The set file to write: its extension picks YAML or JSON. */
  fileName?: string;
  edit?: (set: CustomSetValue) => void;
  /** A text edit after writing, for faults only text can make. */
  editText?: (text: string) => string;
  arrange?: (dir: string) => Promise<void>;
  checkImages?: boolean;
  expected: { code: ProblemCode; file?: string; pairId?: string; field?: string; line?: string }[];
}

const pair = (set: CustomSetValue, index: number) => {
  const found = set.pairs[index];
  if (!found) throw new Error(`no pair ${index}`);
  return found;
};
const imageOf = (set: CustomSetValue, index: number, slot: number) => {
  const found = pair(set, index).images[slot];
  if (!found) throw new Error(`no image ${slot}`);
  return found;
};

const CUSTOM_FAULTS: CustomFault[] = [
  {
    name: 'the YAML does not parse',
    editText: (text) => text.replace('categories:\n  - Pulmonary', 'categories: [Pulmonary\n  - Pulmonary'),
    expected: [{ code: 'YAML_SYNTAX' }],
  },
  {
    name: 'a field is misspelt',
    edit: (set) => Object.assign(imageOf(set, 0, 0), { anwser: 'A' }),
    expected: [{ code: 'FIELD_UNKNOWN', pairId: 'chest-01', field: 'images[0].anwser', line: 'anwser: A' }],
  },
  {
    name: 'two pairs share an id',
    edit: (set) => Object.assign(pair(set, 1), { id: 'chest-01' }),
    expected: [
      { code: 'DUPLICATE_ID', pairId: 'chest-01', field: 'id', line: '- id: chest-01\n    question: Where' },
    ],
  },
  {
    name: 'a pair has no id',
    edit: (set) => void delete pair(set, 1).id,
    expected: [{ code: 'FIELD_MISSING', pairId: 'pairs[1]', field: 'id' }],
  },
  {
    name: 'a pair has no question',
    edit: (set) => void delete pair(set, 1).question,
    expected: [{ code: 'FIELD_MISSING', pairId: 'head-01', field: 'question' }],
  },
  {
    name: 'an answer is a lowercase letter',
    edit: (set) => Object.assign(imageOf(set, 0, 1), { answer: 'b' }),
    expected: [{ code: 'ANSWER_INVALID', pairId: 'chest-01', field: 'images[1].answer', line: 'answer: b' }],
  },
  {
    name: 'both images have the same answer',
    edit: (set) => Object.assign(imageOf(set, 1, 1), { answer: 'A' }),
    expected: [{ code: 'ANSWERS_SAME', pairId: 'head-01', field: 'images[1].answer' }],
  },
  {
    name: 'an image uses an undeclared category',
    edit: (set) => Object.assign(imageOf(set, 0, 1), { categories: ['Chest'] }),
    expected: [
      { code: 'CATEGORY_UNKNOWN', pairId: 'chest-01', field: 'images[1].categories[0]', line: '- Chest' },
    ],
  },
  {
    name: 'the declared categories are missing',
    edit: (set) => void delete set.categories,
    expected: [{ code: 'FIELD_MISSING', field: 'categories' }],
  },
  {
    name: 'a pair has three images',
    edit: (set) => pair(set, 0).images.push({ ...imageOf(set, 0, 0) }),
    expected: [{ code: 'FIELD_INVALID', pairId: 'chest-01', field: 'images' }],
  },
  {
    name: 'options A and B are the same',
    edit: (set) => Object.assign(pair(set, 1), { options: { A: 'Left', B: 'left' } }),
    expected: [{ code: 'OPTIONS_IDENTICAL', pairId: 'head-01', field: 'options.B' }],
  },
  {
    name: 'a key appears twice in one pair',
    editText: (text) => text.replace('  - id: head-01\n', '  - id: head-01\n    id: head-02\n'),
    expected: [{ code: 'DUPLICATE_KEY', pairId: 'head-02', field: 'id', line: 'id: head-02' }],
  },
  {
    name: 'two different files claim the same image id',
    edit: (set) => Object.assign(imageOf(set, 0, 0), { id: 'head-right' }),
    expected: [{ code: 'LOCAL_ID_CONFLICT', pairId: 'head-01', field: 'images[1].id' }],
  },
  {
    name: 'a PMC article id is malformed',
    edit: (set) => Object.assign(imageOf(set, 0, 0), { pmc: '3284869' }),
    expected: [{ code: 'FIELD_INVALID', pairId: 'chest-01', field: 'images[0].pmc' }],
  },
  {
    name: 'an image file is missing',
    checkImages: true,
    arrange: (dir) => rm(path.join(dir, 'images', 'chest-effusion.jpg')),
    expected: [
      {
        code: 'IMAGE_MISSING',
        pairId: 'chest-01',
        field: 'images[1].file',
        line: 'file: images/chest-effusion.jpg',
      },
    ],
  },
  {
    name: 'an image file is corrupt',
    checkImages: true,
    arrange: (dir) => writeFile(path.join(dir, 'images', 'head-left-lesion.jpg'), 'garbage'),
    expected: [
      {
        code: 'IMAGE_CORRUPT',
        file: 'images/head-left-lesion.jpg',
        pairId: 'head-01',
        field: 'images[0].file',
      },
    ],
  },
  {
    name: 'both images are the same file',
    edit: (set) => Object.assign(imageOf(set, 1, 1), { file: './images/head-left-lesion.jpg' }),
    expected: [{ code: 'SAME_IMAGE_TWICE', pairId: 'head-01', field: 'images[1].file' }],
  },
  {
    name: 'a JSON set does not parse',
    fileName: 'broken.json',
    editText: (text) => text.replace('"name": "example-synthetic",', '"name": "example-synthetic"'),
    expected: [{ code: 'JSON_SYNTAX', line: '"description"' }],
  },
  {
    name: 'a JSON set has a value of the wrong type',
    fileName: 'broken.json',
    edit: (set) => Object.assign(pair(set, 0), { question: 42 }),
    expected: [{ code: 'FIELD_TYPE', pairId: 'chest-01', field: 'question', line: '"question": 42' }],
  },
  {
    name: 'a question and an option are absurdly long',
    edit: (set) => {
      Object.assign(pair(set, 0), { question: `Which? ${'x'.repeat(5_000_000)}` });
      Object.assign(pair(set, 1), { options: { A: 'y'.repeat(501), B: 'B' } });
    },
    expected: [
      { code: 'FIELD_TOO_LONG', pairId: 'chest-01', field: 'question' },
      { code: 'FIELD_TOO_LONG', pairId: 'head-01', field: 'options.A' },
    ],
  },
  {
    name: 'an image path climbs out of the set folder',
    edit: (set) => Object.assign(imageOf(set, 0, 0), { file: '../../../../../../etc/passwd' }),
    expected: [{ code: 'IMAGE_OUTSIDE_SET', pairId: 'chest-01', field: 'images[0].file' }],
  },
  {
    name: 'an image path is absolute, outside the set folder',
    edit: (set) => Object.assign(imageOf(set, 1, 1), { file: '/etc/passwd' }),
    expected: [
      { code: 'IMAGE_OUTSIDE_SET', pairId: 'head-01', field: 'images[1].file', line: '/etc/passwd' },
    ],
  },
  {
    name: 'an image inside the folder is a link to a file outside it',
    checkImages: true,
    edit: (set) => Object.assign(imageOf(set, 0, 1), { file: './images/linked.jpg' }),
    arrange: async (dir) => {
      const outside = await mkdtemp(path.join(tmpdir(), 'outside-set-'));
      await copyFile(path.join(dir, 'images', 'chest-effusion.jpg'), path.join(outside, 'secret.jpg'));
      await symlink(path.join(outside, 'secret.jpg'), path.join(dir, 'images', 'linked.jpg'));
    },
    expected: [{ code: 'IMAGE_OUTSIDE_SET', pairId: 'chest-01', field: 'images[1].file' }],
  },
  {
    name: 'an image file is not a picture at all',
    checkImages: true,
    edit: (set) => Object.assign(imageOf(set, 0, 1), { file: './images/notes.jpg' }),
    arrange: (dir) => writeFile(path.join(dir, 'images', 'notes.jpg'), 'root:x:0:0:root:/root:/bin/bash\n'),
    expected: [
      { code: 'IMAGE_CORRUPT', file: 'images/notes.jpg', pairId: 'chest-01', field: 'images[1].file' },
    ],
  },
  {
    name: 'the set file does not exist',
    arrange: (dir) => rm(path.join(dir, 'broken.yaml')),
    expected: [{ code: 'FILE_MISSING' }],
  },
];

function located(dir: string, problem: Problem) {
  return {
    code: problem.code,
    file: path.relative(dir, problem.file),
    pairId: problem.pairId,
    field: problem.field,
  };
}

async function arrangeFault(fault: CustomFault): Promise<{ dir: string; file: string }> {
  const dir = await copyExampleSet();
  const { file, text } = await writeCustomSet(dir, fault.fileName ?? 'broken.yaml', fault.edit);
  if (fault.editText) await writeFile(file, fault.editText(text));
  await fault.arrange?.(dir);
  return { dir, file };
}

describe('custom set validation reports each fault in the set file', () => {
  for (const fault of CUSTOM_FAULTS) {
    it(`reports when ${fault.name}`, async () => {
      const { dir, file } = await arrangeFault(fault);

      const { problems } = await loadCustomSet(file, { checkImages: fault.checkImages ?? false });

      const setFileName = path.basename(file);
      const expected = fault.expected.map(({ line: _line, ...rest }) => ({
        ...rest,
        file: rest.file ?? setFileName,
      }));
      expect(problems.map((p) => located(dir, p))).toEqual(expected);
      for (const { code, line } of fault.expected) {
        if (!line) continue;
        const text = await readFile(file, 'utf8');
        expect(problems.find((p) => p.code === code)?.line, `line of ${code}`).toBe(lineOf(text, line));
      }
    });
  }

  it('reports many faults at once, each at its own location', async () => {
    const names = [
      'a field is misspelt',
      'an answer is a lowercase letter',
      'both images have the same answer',
      'a PMC article id is malformed',
      'an image file is corrupt',
    ];
    const chosen = names.map((name) => CUSTOM_FAULTS.find((f) => f.name === name));
    const combined: CustomFault = {
      name: 'combined',
      checkImages: true,
      edit: (set) => {
        for (const fault of chosen) fault?.edit?.(set);
      },
      arrange: async (dir) => {
        for (const fault of chosen) await fault?.arrange?.(dir);
      },
      expected: chosen.flatMap((fault) => fault?.expected ?? []),
    };
    const { dir, file } = await arrangeFault(combined);

    const { problems } = await loadCustomSet(file, { checkImages: true });

    const expected = combined.expected.map(({ line: _line, ...rest }) => ({
      ...rest,
      file: rest.file ?? 'broken.yaml',
    }));
    expect(problems.map((p) => located(dir, p))).toEqual(expect.arrayContaining(expected));
    expect(problems).toHaveLength(expected.length);
  });
});
