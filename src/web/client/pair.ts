import type { Choice, QuestionView, RevealView } from '../protocol.js';
import { type Attrs, h, percent } from './common.js';

/**
 * The pair as the pages show it (the quiz's host and player pages, and the private baseline): the question,
 * the two options, the two images labelled 1 and 2, the answer buttons and how people split.
 */

export function questionBlock(question: QuestionView, headingLevel: 'h1' | 'h2' = 'h2'): HTMLElement {
  return h(
    'section',
    { class: 'question', 'aria-labelledby': 'question-text' },
    h(headingLevel, { id: 'question-text', class: 'question-text' }, question.question),
    optionsList(question.options),
  );
}

export function optionsList(options: { A: string; B: string }): HTMLElement {
  return h(
    'dl',
    { class: 'options' },
    h('dt', {}, 'A'),
    h('dd', {}, options.A),
    h('dt', {}, 'B'),
    h('dd', {}, options.B),
  );
}

/** One picture of the pair, numbered as its answer buttons are; `note` follows "Image N" in the caption. */
export function pairFigure(
  slot: number,
  img: HTMLImageElement,
  note: HTMLElement | null = null,
): HTMLElement {
  return h(
    'figure',
    { class: 'pair-image' },
    h('span', { class: 'image-number', 'aria-hidden': 'true' }, String(slot + 1)),
    img,
    h('figcaption', {}, h('strong', {}, `Image ${slot + 1}`), note),
  );
}

export function imagesBlock(question: QuestionView, reveal: RevealView | null): HTMLElement {
  return h(
    'div',
    { class: 'pair' },
    ...([0, 1] as const).map((slot) => {
      const image = question.images[slot];
      const revealed = reveal?.images[slot];
      return pairFigure(
        slot,
        h('img', { src: image.url, alt: image.alt, loading: 'eager', decoding: 'async' }),
        revealed
          ? h('span', { class: 'correct-answer' }, ` — answer ${revealed.correct}: ${revealed.correctText}`)
          : null,
      );
    }),
  );
}

/**
 * One big answer button. `attrs` carries what differs between pages: when it is disabled, the data
 * attributes naming its image, and what a click does.
 */
export function answerButton(option: Choice, text: string, chosen: Choice | null, attrs: Attrs): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      class: `answer-button${chosen === option ? ' chosen' : ''}`,
      'aria-pressed': chosen === option ? 'true' : 'false',
      ...attrs,
    },
    h('span', { class: 'answer-letter' }, option),
    h('span', { class: 'answer-text' }, text),
  );
}

/** One image's answers: its two buttons, then `confirmation` (what was recorded, worded by each page). */
export function answerGroup(
  slot: 0 | 1,
  button: (option: Choice) => HTMLElement,
  confirmation: HTMLElement,
): HTMLElement {
  return h(
    'fieldset',
    { class: 'answer-group' },
    h('legend', {}, `Image ${slot + 1}`),
    h('div', { class: 'answer-buttons' }, button('A'), button('B')),
    confirmation,
  );
}

/** The headline of a reveal for one person's (or a model's) two answers. */
export function verdictText(result: {
  correct: readonly [boolean, boolean];
  setCorrect: boolean;
  confused: boolean;
}): string {
  return result.setCorrect
    ? 'Both right!'
    : result.confused
      ? 'Confused: the same answer for both images.'
      : result.correct[0] || result.correct[1]
        ? 'One of two right.'
        : 'Neither right this time.';
}

/** How people answered one image. */
export interface ImageTally {
  picks: { A: number; B: number };
  answered: number;
  right: number;
  rightShare: number | null;
}

/**
 * How people split on one image, as bars with the counts written out, then the caption and `source`
 * (each page links the source article its own way).
 */
export function splitImage(
  slot: 0 | 1,
  tally: ImageTally,
  correct: Choice,
  caption: string,
  source: HTMLElement | null,
): HTMLElement {
  const bar = (option: Choice) => {
    const count = tally.picks[option];
    const share = tally.answered === 0 ? 0 : (count / tally.answered) * 100;
    const right = option === correct;
    // Through the CSSOM: the page's content security policy refuses style attributes.
    const fill = h('span', { class: 'bar-fill' });
    fill.style.width = `${share.toFixed(1)}%`;
    return h(
      'div',
      { class: `bar-row${right ? ' bar-right' : ''}` },
      h('span', { class: 'bar-label' }, `${option}${right ? ' ✓' : ''}`),
      h('span', { class: 'bar-track' }, fill),
      h('span', { class: 'bar-count' }, `${count} (${share.toFixed(0)}%)`),
    );
  };
  return h(
    'section',
    { class: 'split-image', 'aria-label': `How people answered image ${slot + 1}` },
    h(
      'h2',
      { class: 'split-heading' },
      `Image ${slot + 1}: ${tally.right} of ${tally.answered} right (${percent(tally.rightShare)})`,
    ),
    bar('A'),
    bar('B'),
    h('p', { class: 'caption' }, caption === '' ? 'No caption in the dataset.' : caption),
    source,
  );
}

/** How people split on each image, as bars with the counts written out. */
export function splitBlock(reveal: RevealView): HTMLElement {
  return h(
    'div',
    { class: 'split' },
    ...([0, 1] as const).map((slot) => {
      const image = reveal.images[slot];
      return splitImage(
        slot,
        image,
        image.correct,
        image.caption,
        image.sourceUrl
          ? h(
              'p',
              { class: 'source' },
              h('a', { href: image.sourceUrl, target: '_blank', rel: 'noopener' }, 'Source article'),
            )
          : null,
      );
    }),
  );
}

export function modelsBlock(reveal: RevealView): HTMLElement | null {
  if (reveal.models.length === 0) return null;
  // "A, 97% sure, ✗ wrong": how sure the model was, when its run recorded probabilities.
  const mark = (ok: boolean, chosen: string | null, sure: number | null) =>
    chosen === null
      ? h('span', { class: 'mark-none' }, 'no answer')
      : h(
          'span',
          { class: ok ? 'mark-right' : 'mark-wrong' },
          `${chosen}${sure === null ? '' : `, ${Math.round(sure * 100)}% sure,`} ${ok ? '✓ right' : '✗ wrong'}`,
        );
  return h(
    'section',
    { class: 'models', 'aria-labelledby': 'models-heading' },
    h('h2', { id: 'models-heading', class: 'models-heading' }, 'Models'),
    h(
      'table',
      { class: 'numbers' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Model'),
          h('th', { scope: 'col' }, 'Image 1'),
          h('th', { scope: 'col' }, 'Image 2'),
          h('th', { scope: 'col' }, 'Pair'),
        ),
      ),
      h(
        'tbody',
        {},
        ...reveal.models.map((m) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, m.modelId),
            ...(m.status === 'answered'
              ? [
                  h('td', {}, mark(m.correct[0], m.chosen[0], m.confidence[0])),
                  h('td', {}, mark(m.correct[1], m.chosen[1], m.confidence[1])),
                  h(
                    'td',
                    {},
                    m.setCorrect
                      ? h('span', { class: 'mark-right' }, 'both right')
                      : m.confused
                        ? h('span', { class: 'mark-confused' }, 'confused (same answer twice)')
                        : h('span', { class: 'mark-wrong' }, 'not both right'),
                  ),
                ]
              : [
                  h(
                    'td',
                    { colspan: 3, class: 'muted' },
                    `${m.status === 'pending' ? 'no answer' : 'failed'}: ${m.reason ?? ''}`,
                  ),
                ]),
          ),
        ),
      ),
    ),
  );
}
