import type { QuestionView, RevealView } from '../protocol.js';
import { h, percent } from './common.js';

/** The pair as both pages show it: the question, the two options and the two images labelled 1 and 2. */

export function questionBlock(question: QuestionView, headingLevel: 'h1' | 'h2' = 'h2'): HTMLElement {
  return h(
    'section',
    { class: 'question', 'aria-labelledby': 'question-text' },
    h(headingLevel, { id: 'question-text', class: 'question-text' }, question.question),
    h(
      'dl',
      { class: 'options' },
      h('dt', {}, 'A'),
      h('dd', {}, question.options.A),
      h('dt', {}, 'B'),
      h('dd', {}, question.options.B),
    ),
  );
}

export function imagesBlock(question: QuestionView, reveal: RevealView | null): HTMLElement {
  return h(
    'div',
    { class: 'pair' },
    ...([0, 1] as const).map((slot) => {
      const image = question.images[slot];
      const revealed = reveal?.images[slot];
      return h(
        'figure',
        { class: 'pair-image' },
        h('span', { class: 'image-number', 'aria-hidden': 'true' }, String(slot + 1)),
        h('img', { src: image.url, alt: image.alt, loading: 'eager', decoding: 'async' }),
        h(
          'figcaption',
          {},
          h('strong', {}, `Image ${slot + 1}`),
          revealed
            ? h('span', { class: 'correct-answer' }, ` — answer ${revealed.correct}: ${revealed.correctText}`)
            : null,
        ),
      );
    }),
  );
}

/** How people split on each image, as bars with the counts written out. */
export function splitBlock(reveal: RevealView): HTMLElement {
  return h(
    'div',
    { class: 'split' },
    ...([0, 1] as const).map((slot) => {
      const image = reveal.images[slot];
      const bar = (option: 'A' | 'B') => {
        const count = image.picks[option];
        const share = image.answered === 0 ? 0 : (count / image.answered) * 100;
        const right = option === image.correct;
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
          'h3',
          {},
          `Image ${slot + 1}: ${image.right} of ${image.answered} right (${percent(image.rightShare)})`,
        ),
        bar('A'),
        bar('B'),
        h('p', { class: 'caption' }, image.caption === '' ? 'No caption in the dataset.' : image.caption),
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
  const mark = (ok: boolean, chosen: string | null) =>
    chosen === null
      ? h('span', { class: 'mark-none' }, 'no answer')
      : h('span', { class: ok ? 'mark-right' : 'mark-wrong' }, `${chosen} ${ok ? '✓ right' : '✗ wrong'}`);
  return h(
    'section',
    { class: 'models', 'aria-labelledby': 'models-heading' },
    h('h3', { id: 'models-heading' }, 'Models'),
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
                  h('td', {}, mark(m.correct[0], m.chosen[0])),
                  h('td', {}, mark(m.correct[1], m.chosen[1])),
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
                    `${m.status === 'pending' ? 'still thinking' : 'failed'}: ${m.reason ?? ''}`,
                  ),
                ]),
          ),
        ),
      ),
    ),
  );
}
