import type {
  AnswerResponse,
  BaselineChoice,
  BaselinePageData,
  BaselineQuestionView,
  BaselineRevealView,
  ConsentNoticeView,
  ErrorResponse,
  ForgetResponse,
  NextResponse,
  ProfileView,
  ProgressView,
  StatusResponse,
} from '../baseline-protocol.js';
import {
  app,
  browserId,
  focusHeading,
  h,
  pageData,
  percent,
  plural,
  render,
  scrollingTable,
} from './common.js';
import { answerButton, answerGroup, optionsList, pairFigure, splitImage, verdictText } from './pair.js';

/**
 * The private baseline page: the consent notice, then one pair at a time with big A/B buttons per image,
 * the reveal once both are answered, and Next. An optional profile and a forget-me button sit below.
 * The participant is this browser's random id (the one the web quiz uses too).
 */

const data = pageData<BaselinePageData>();
const root = app();
const participant = browserId();

let progress: ProgressView | null = null;
let question: BaselineQuestionView | null = null;
let choices: [BaselineChoice | null, BaselineChoice | null] = [null, null];
/** performance.now() when the current pair's images were on screen. */
let shownAt: number | null = null;
let profile: ProfileView | null = null;
let message = '';

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorResponse,
  ) {
    super(body.message);
  }
}

async function api<T>(path: string, body: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`/api/baseline/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ participant, ...body }),
  });
  const json = (await response.json()) as T | ErrorResponse;
  if (!response.ok) throw new ApiError(response.status, json as ErrorResponse);
  return json as T;
}

/** A refusal shown to the participant; the consent notice again when the server asks for it. */
function handle(err: unknown): void {
  if (err instanceof ApiError && err.body.error === 'CONSENT_REQUIRED' && err.body.notice) {
    showConsent(err.body.notice, false);
    return;
  }
  message = err instanceof Error ? err.message : 'Something went wrong; try again.';
  const line = root.querySelector<HTMLElement>('.form-error');
  if (line !== null) line.textContent = message;
}

// ---- consent ------------------------------------------------------------------------------------------

/** The notice's plain text: paragraphs, and `-` lines as a bulleted list. */
/**
 * The consent notice is shared with Discord, where people have an account id and a /forget-me command. On
 * this page a person is this browser's random id, and withdrawing is the "Forget me" button.
 */
export function webWording(text: string): string {
  return text
    .replace(/your account id/g, 'this browser’s random id')
    .replace(/account id/g, 'browser id')
    .replace(/with \/forget-me/g, 'with the “Forget me” button below each pair')
    .replace(/\/forget-me/g, '“Forget me”');
}

function noticeBody(text: string): HTMLElement[] {
  const blocks: HTMLElement[] = [];
  let list: HTMLElement | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('- ')) {
      list ??= h('ul', {});
      list.appendChild(h('li', {}, line.slice(2)));
      continue;
    }
    if (list !== null) {
      blocks.push(list);
      list = null;
    }
    if (line.trim() !== '') blocks.push(h('p', {}, line));
  }
  if (list !== null) blocks.push(list);
  return blocks;
}

function showConsent(notice: ConsentNoticeView, outdated: boolean): void {
  render(
    root,
    h('h1', {}, notice.title),
    outdated
      ? h('p', { class: 'notices' }, 'This notice has changed since you accepted it. Please read it again.')
      : null,
    h('section', { class: 'consent-notice' }, ...noticeBody(webWording(notice.text))),
    h(
      'div',
      { class: 'controls' },
      h('button', { type: 'button', class: 'primary', onclick: () => void accept() }, notice.acceptLabel),
      h('button', { type: 'button', onclick: () => declined() }, notice.declineLabel),
    ),
    h('p', { class: 'form-error', role: 'alert' }),
  );
  focusHeading(root);
}

async function accept(): Promise<void> {
  try {
    await api('consent', { accept: true });
    await loadNext();
  } catch (err) {
    handle(err);
  }
}

function declined(): void {
  render(
    root,
    h('h1', {}, 'No problem'),
    h('p', {}, 'Nothing was recorded. You can come back to this page whenever you like.'),
    h('p', {}, h('a', { href: '/' }, 'Back to the start page')),
  );
  focusHeading(root);
}

// ---- a pair -------------------------------------------------------------------------------------------

async function loadNext(): Promise<void> {
  try {
    const next = await api<NextResponse>('next');
    progress = next.progress;
    question = next.question;
    choices = question?.choices ?? [null, null];
    message = '';
    if (question === null) showDone();
    else showPair();
  } catch (err) {
    handle(err);
  }
}

function header(): HTMLElement {
  const p = progress;
  return h(
    'p',
    { class: 'round-number' },
    p === null
      ? 'Private baseline'
      : `Private baseline · your pair ${p.answered + 1} · ${p.remaining} left of ${p.total}`,
  );
}

function answerButtons(slot: 0 | 1): HTMLElement {
  const q = question;
  const chosen = choices[slot];
  const button = (option: BaselineChoice) =>
    answerButton(option, q?.options[option] ?? '', chosen, {
      disabled: chosen !== null,
      'data-image': slot + 1,
      'data-option': option,
      onclick: () => void answer(slot, option),
    });
  return answerGroup(
    slot,
    button,
    h(
      'p',
      { class: 'confirmation', role: 'status' },
      chosen === null ? 'Not answered yet.' : `Recorded: image ${slot + 1} is ${chosen}. Answers are final.`,
    ),
  );
}

function showPair(): void {
  const q = question;
  if (q === null) return;
  const imgs = q.images.map((image) => h('img', { src: image.url, alt: image.alt, decoding: 'async' }));
  render(
    root,
    header(),
    h('h1', { id: 'question-text', class: 'question-text' }, q.question),
    optionsList(q.options),
    h('div', { class: 'pair' }, ...imgs.map((img, slot) => pairFigure(slot, img))),
    h('div', { class: 'answers' }, answerButtons(0), answerButtons(1)),
    h('p', { class: 'form-error', role: 'alert' }, message),
    footer(),
  );
  focusHeading(root);
  if (shownAt === null) {
    // The clock starts once both pictures are on screen, not when the request went out.
    void Promise.all(imgs.map((img) => img.decode().catch(() => undefined))).then(() => {
      shownAt ??= performance.now();
    });
  }
}

async function answer(slot: 0 | 1, option: BaselineChoice): Promise<void> {
  const q = question;
  if (q === null) return;
  const responseMs = shownAt === null ? undefined : Math.max(0, Math.round(performance.now() - shownAt));
  try {
    const result = await api<AnswerResponse>('answer', {
      pair: q.pair,
      image: slot + 1,
      option,
      ...(responseMs === undefined ? {} : { responseMs }),
    });
    choices = result.choices;
    message = '';
    if (result.reveal !== null) {
      if (result.progress !== null) progress = result.progress;
      shownAt = null;
      showReveal(q, result.reveal);
    } else {
      showPair();
    }
  } catch (err) {
    handle(err);
  }
}

// ---- the reveal ---------------------------------------------------------------------------------------

function verdict(r: BaselineRevealView): HTMLElement {
  return h(
    'h1',
    { class: `result ${r.you.setCorrect ? 'result-right' : 'result-wrong'}` },
    verdictText(r.you),
  );
}

function crowdBars(r: BaselineRevealView): HTMLElement {
  return h(
    'div',
    { class: 'split' },
    ...([0, 1] as const).map((slot) => {
      const image = r.images[slot];
      return splitImage(
        slot,
        image.crowd,
        image.correct,
        image.caption,
        image.sourceUrl
          ? h(
              'p',
              {},
              h(
                'a',
                { href: image.sourceUrl, rel: 'noopener noreferrer', target: '_blank' },
                'Source article',
              ),
            )
          : null,
      );
    }),
  );
}

function modelsTable(r: BaselineRevealView): HTMLElement | null {
  if (r.models.length === 0) return null;
  const cell = (chosen: BaselineChoice | null, right: boolean) =>
    h(
      'td',
      { class: right ? 'mark-right' : 'mark-wrong' },
      chosen === null ? '–' : `${chosen} ${right ? '✓' : '✗'}`,
    );
  return scrollingTable(
    'AI models on this pair',
    h(
      'table',
      { class: 'numbers' },
      h('caption', {}, 'AI models on this pair'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Model'),
          h('th', {}, 'Image 1'),
          h('th', {}, 'Image 2'),
          h('th', {}, 'Result'),
        ),
      ),
      h(
        'tbody',
        {},
        ...r.models.map((m) =>
          m.status === 'answered'
            ? h(
                'tr',
                {},
                h('th', { scope: 'row' }, m.modelId),
                cell(m.chosen[0], m.correct[0]),
                cell(m.chosen[1], m.correct[1]),
                h('td', {}, m.setCorrect ? 'both right' : m.confused ? 'confused' : 'not both'),
              )
            : h(
                'tr',
                {},
                h('th', { scope: 'row' }, m.modelId),
                h('td', { colspan: 3 }, `no answer: ${m.reason}`),
              ),
        ),
      ),
    ),
  );
}

function showReveal(q: BaselineQuestionView, r: BaselineRevealView): void {
  const finished = progress !== null && progress.remaining === 0;
  render(
    root,
    h('p', { class: 'round-number' }, `Private baseline · pair ${r.pairId} · answers`),
    verdict(r),
    h(
      'ul',
      { class: 'my-answers' },
      ...([0, 1] as const).map((slot) => {
        const image = r.images[slot];
        return h(
          'li',
          { class: image.right ? 'mark-right' : 'mark-wrong' },
          `Image ${slot + 1}: the answer is ${image.correct} (${image.correctText}). You answered ${image.yours ?? '–'} ${image.right ? '✓' : '✗'}.`,
          image.seenBefore ? ' You had seen this image before.' : '',
        );
      }),
    ),
    h(
      'div',
      { class: 'pair' },
      ...q.images.map((image, slot) =>
        pairFigure(
          slot,
          h('img', {
            src: image.url,
            alt: `Image ${slot + 1}: ${r.images[slot === 0 ? 0 : 1].caption || 'no caption'}`,
          }),
          h('span', { class: 'correct-answer' }, ` — answer ${r.images[slot === 0 ? 0 : 1].correct}`),
        ),
      ),
    ),
    h(
      'p',
      { class: 'score' },
      r.crowd.participants === 0
        ? 'Nobody has finished this pair yet.'
        : `People: ${r.crowd.setCorrect} of ${plural(r.crowd.participants, 'person', 'people')} got both right (${percent(r.crowd.setAccuracy)}), you included.`,
    ),
    crowdBars(r),
    modelsTable(r),
    finished
      ? h('p', { class: 'big-figure' }, 'That was your last pair. Thank you for taking part!')
      : h(
          'div',
          { class: 'controls' },
          h('button', { type: 'button', class: 'primary big', onclick: () => void loadNext() }, 'Next pair'),
        ),
    footer(),
  );
  focusHeading(root);
}

function showDone(): void {
  const p = progress;
  render(
    root,
    h('h1', {}, 'All done'),
    h(
      'p',
      {},
      `You have answered every pair available to you${p === null ? '' : ` (${plural(p.answered, 'pair')})`}. Thank you for taking part!`,
    ),
    footer(),
  );
  focusHeading(root);
}

// ---- profile and forget-me ----------------------------------------------------------------------------

function profileSection(): HTMLElement {
  const level = h(
    'select',
    { id: 'training-level', name: 'trainingLevel' },
    h('option', { value: '' }, 'Not given'),
    ...data.trainingLevels.map((l) =>
      h('option', { value: l.value, selected: profile?.trainingLevel === l.value }, l.label),
    ),
  );
  const specialty = h('input', {
    id: 'specialty',
    name: 'specialty',
    maxlength: data.specialtyMaxLength,
    value: profile?.specialty ?? '',
    autocomplete: 'off',
  });
  const note = h('p', { class: 'confirmation', role: 'status' });
  return h(
    'details',
    { class: 'profile' },
    h('summary', {}, 'Your profile (optional)'),
    h(
      'form',
      {
        onsubmit: (event: Event) => {
          event.preventDefault();
          void (async () => {
            try {
              const saved = await api<{ profile: ProfileView | null }>('profile', {
                trainingLevel: level.value === '' ? null : level.value,
                specialty: specialty.value.trim() === '' ? null : specialty.value,
              });
              profile = saved.profile;
              note.textContent = 'Saved.';
            } catch (err) {
              note.textContent = err instanceof Error ? err.message : 'Could not save.';
            }
          })();
        },
      },
      h('p', {}, 'Both are optional and only group the results (accuracy per training level).'),
      h('div', { class: 'field' }, h('label', { for: 'training-level' }, 'Training level'), level),
      h('div', { class: 'field' }, h('label', { for: 'specialty' }, 'Specialty'), specialty),
      h('button', { type: 'submit' }, 'Save profile'),
      note,
    ),
  );
}

function forgetSection(): HTMLElement {
  const area = h('div', { class: 'forget' });
  const ask = () =>
    render(
      area,
      h(
        'p',
        { role: 'alert' },
        'Delete your consent, your profile and every answer you gave here (baseline and web quizzes)? You will disappear from every tally and later export. This cannot be undone.',
      ),
      h(
        'div',
        { class: 'controls' },
        h('button', { type: 'button', class: 'primary', onclick: () => void forget() }, 'Delete everything'),
        h('button', { type: 'button', onclick: () => render(area, askButton()) }, 'Cancel'),
      ),
    );
  const askButton = () =>
    h(
      'button',
      { type: 'button', class: 'link', onclick: ask },
      'Forget me: delete everything recorded about me',
    );
  render(area, askButton());
  return area;
}

async function forget(): Promise<void> {
  try {
    const done = await api<ForgetResponse>('forget', { confirm: true });
    profile = null;
    question = null;
    render(
      root,
      h('h1', {}, 'Everything is deleted'),
      h(
        'p',
        {},
        `Deleted: consent ${done.consent}, profile ${done.profile}, baseline answers ${done.baselineAnswers}, quiz answers ${done.quizAnswers}.`,
      ),
      h('p', {}, h('a', { href: '/baseline' }, 'Start again'), ' (the consent notice comes first).'),
    );
    focusHeading(root);
  } catch (err) {
    handle(err);
  }
}

function footer(): HTMLElement {
  return h('footer', { class: 'baseline-footer' }, profileSection(), forgetSection());
}

// ---- start --------------------------------------------------------------------------------------------

async function start(): Promise<void> {
  try {
    const status = await api<StatusResponse>('status');
    if (!status.consent.accepted) {
      showConsent(status.consent.notice, status.consent.reason === 'outdated');
      return;
    }
    profile = status.profile;
    await loadNext();
  } catch (err) {
    render(
      root,
      h('h1', {}, 'Private baseline'),
      h('p', { role: 'alert' }, err instanceof Error ? err.message : 'Could not load.'),
    );
  }
}

void start();
