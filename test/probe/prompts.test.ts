import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countFields,
  fillAnswerPrompt,
  formatPython,
  loadPromptsFile,
  type PromptsFile,
  protocolPrompts,
} from '../../src/probe/prompts.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';

let file: PromptsFile;
let raw: {
  prompts: Record<string, Record<string, string>>;
  init_prompts: { default: string };
};
let dir: string;

beforeAll(async () => {
  file = await loadPromptsFile(SHARED_DATASET_DIR);
  raw = JSON.parse(await readFile(path.join(SHARED_DATASET_DIR, 'answering-prompts.json'), 'utf8'));
  dir = await mkdtemp(path.join(tmpdir(), 'prompts-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('filling templates like Python str.format', () => {
  it('fills {} in order, {n} by position, and turns {{ }} into braces', () => {
    expect(formatPython('Q: {} A: {} B: {}', ['q', 'a', 'b'])).toBe('Q: q A: a B: b');
    expect(formatPython('{1} then {0}', ['x', 'y'])).toBe('y then x');
    expect(formatPython('{{literal}} {}', ['v'])).toBe('{literal} v');
  });

  it('leaves braces inside the values alone', () => {
    expect(formatPython('Question: {}', ['is {} a set?'])).toBe('Question: is {} a set?');
  });

  it('rejects a template Python could not format', () => {
    expect(() => formatPython('a { b', [])).toThrow(/unbalanced brace/);
    expect(() => formatPython('{} {}', ['only one'])).toThrow(/no value/);
    expect(countFields('Question: {}\nA: {}\nB: {}')).toBe(3);
  });
});

describe('choosing the official template', () => {
  it("uses the model family's mc template, the default system prompt, temperature 0 and 32 tokens", () => {
    const p = protocolPrompts(file, 'mc', { promptKey: 'gpt', reasoning: false });
    expect(p.template.key).toBe('gpt');
    expect(p.template.text).toBe(raw.prompts.mc?.gpt);
    expect(p.template.sha256).toBe(
      createHash('sha256')
        .update(raw.prompts.mc?.gpt ?? '')
        .digest('hex'),
    );
    expect(p.system?.text).toBe(raw.init_prompts.default);
    expect(p.temperature).toBe(0);
    expect(p.maxTokens).toBe(32);
    expect(fillAnswerPrompt(p, 'Q?', { A: 'x', B: 'y' })).toBe(
      (raw.prompts.mc?.gpt ?? '').replace('{}', 'Q?').replace('{}', 'x').replace('{}', 'y'),
    );
  });

  it('falls back to the default template when the family has none, as the harness does', () => {
    expect(protocolPrompts(file, 'mc', { promptKey: 'no-such-family', reasoning: false }).template.key).toBe(
      'default',
    );
    const ff = protocolPrompts(file, 'ff', { promptKey: 'gpt', reasoning: false });
    expect(ff.template.key).toBe('default');
    expect(fillAnswerPrompt(ff, 'What is shown?', { A: 'x', B: 'y' })).toBe(
      (raw.prompts.gpt4?.default ?? '').replace('{}', 'What is shown?'),
    );
  });

  it('sends reasoning models no system prompt, no temperature, and room to reason before the letter', () => {
    const p = protocolPrompts(file, 'mc', { promptKey: 'gpt', reasoning: true, thinkingBudget: 4096 });
    expect(p.system).toBeNull();
    expect(p.temperature).toBeNull();
    // The official 32 tokens for the letter, on top of the thinking budget.
    expect(p.maxTokens).toBe(32 + 4096);
  });

  it('uses the official configuration per family in free form, and mc settings for every family', () => {
    expect(protocolPrompts(file, 'ff', { promptKey: 'gpt', reasoning: false })).toMatchObject({
      temperature: 0.7,
      maxTokens: null,
    });
    expect(protocolPrompts(file, 'ff', { promptKey: 'claude', reasoning: false })).toMatchObject({
      temperature: 0.2,
      maxTokens: 2048,
    });
    expect(protocolPrompts(file, 'ff', { promptKey: 'gemini', reasoning: false })).toMatchObject({
      temperature: 0.2,
      maxTokens: null,
    });
    expect(protocolPrompts(file, 'mc', { promptKey: 'claude', reasoning: false })).toMatchObject({
      temperature: 0,
      maxTokens: 32,
    });
  });

  it('lets options replace temperature and token limit, recording where they came from', () => {
    const p = protocolPrompts(
      file,
      'ff',
      { promptKey: 'gpt', reasoning: false, thinkingBudget: 1024 },
      { temperature: 0, maxTokens: 300 },
    );
    expect(p).toMatchObject({ temperature: 0, maxTokens: 1324 });
    expect(p.settings).toContain('temperature 0 by option');
    expect(p.settings).toContain('max tokens 300 by option');
  });
});

describe('validating the prompts file', () => {
  it('names the file and the missing field', async () => {
    const broken = structuredClone(raw) as Record<string, unknown>;
    delete broken.conversion;
    await writeFile(path.join(dir, 'answering-prompts.json'), JSON.stringify(broken));
    await expect(loadPromptsFile(dir)).rejects.toThrow(
      /answering-prompts\.json is not a valid prompts file:\n {2}conversion/,
    );
  });

  it('rejects a template whose placeholders do not match the protocol', async () => {
    const wrong = structuredClone(raw);
    if (wrong.prompts.mc) wrong.prompts.mc.gpt = 'Question: {}';
    await writeFile(path.join(dir, 'answering-prompts.json'), JSON.stringify(wrong));
    const loaded = await loadPromptsFile(dir);
    expect(() => protocolPrompts(loaded, 'mc', { promptKey: 'gpt', reasoning: false })).toThrow(
      /prompts\.mc\.gpt template has 1 placeholder\(s\); the protocol fills 3/,
    );
  });

  it('tells the user to fetch the data when the file is missing', async () => {
    await expect(loadPromptsFile(path.join(dir, 'nowhere'))).rejects.toThrow(/mediconfusion data fetch/);
  });
});
