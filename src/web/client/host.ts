import type { RoomInfo, RoomState, ServerMessage } from '../protocol.js';
import {
  app,
  Countdown,
  focusHeading,
  h,
  pageData,
  percent,
  plural,
  QuizSocket,
  render,
  statusLine,
} from './common.js';
import { comparisonChart } from './comparison.js';
import { imagesBlock, modelsBlock, questionBlock, splitBlock } from './pair.js';

/** The host's screen, made for a projector: join details, the pair, the countdown, the reveal, the summary. */

interface JoinReach {
  loopback: boolean;
  lanAddress: string | null;
  advice: string | null;
}

const { room: code, reach } = pageData<{ room: string; reach?: JoinReach }>();
const key = new URLSearchParams(location.hash.slice(1)).get('key');
const root = app();
const status = statusLine();
const countdown = new Countdown();

let info: RoomInfo | null = null;
let state: RoomState | null = null;
/** The server's clock minus this device's, measured when the state arrived (re-renders come later). */
let clockOffset = 0;
let lastPhaseKey = '';
/** After a summary, the host chose to set up a new quiz. */
let settingUp = false;
const counters = { answered: h('span', { class: 'answered' }), connected: h('span', { class: 'connected' }) };

/** The join details in one line, for while a question is on screen. */
function joinStrip(room: RoomInfo): HTMLElement {
  return h(
    'aside',
    { class: 'join-compact', 'aria-label': 'How to join' },
    h('img', { class: 'qr', src: room.qrUrl, alt: `QR code for the join link ${room.joinUrl}` }),
    h('div', {}, h('p', {}, 'Join: ', room.joinUrl), h('p', {}, 'Room code ', h('strong', {}, room.code))),
  );
}

/** When the join link only works on this computer (loopback): what is wrong and how to fix it. */
function reachWarning(): HTMLElement | null {
  if (!reach?.advice) return null;
  return h(
    'p',
    { class: 'reach-warning', role: 'note' },
    h('strong', {}, 'Phones cannot join yet. '),
    reach.advice,
  );
}

function joinPanel(room: RoomInfo): HTMLElement {
  return h(
    'aside',
    { class: 'join-panel', 'aria-label': 'How to join' },
    h('p', { class: 'join-title' }, 'Join on your phone'),
    h('img', { class: 'qr', src: room.qrUrl, alt: `QR code for the join link ${room.joinUrl}` }),
    h('p', { class: 'join-url' }, h('a', { href: room.joinUrl }, room.joinUrl)),
    h('p', { class: 'room-code' }, 'Room code ', h('strong', {}, room.code)),
    reachWarning(),
  );
}

/** A short reminder in the header once the quiz runs, when phones cannot reach the join link. */
function reachBadge(): HTMLElement | null {
  if (!reach?.advice) return null;
  return h(
    'p',
    { class: 'reach-badge', title: reach.advice },
    'Join link works on this computer only (see the console)',
  );
}

/** The host's keys, listed under the controls. */
function keysHint(keys: Array<[keys: string[], what: string]>): HTMLElement {
  return h(
    'p',
    { class: 'keys-hint' },
    'Keys: ',
    ...keys.flatMap(([names, what], i) => [
      i > 0 ? ' · ' : '',
      ...names.flatMap((name, k) => [k > 0 ? ' / ' : '', h('kbd', {}, name)]),
      ` ${what}`,
    ]),
  );
}

/** One image of the pair full screen, over everything; Esc, a click or the button closes it. */
const viewer = h('dialog', { class: 'image-viewer', 'aria-label': 'Image full screen' });
document.body.append(viewer);
viewer.addEventListener('click', () => viewer.close());

function showImage(slot: 0 | 1): void {
  const image = root.querySelectorAll<HTMLImageElement>('.pair img')[slot];
  if (image === undefined) return;
  render(
    viewer,
    h('img', { class: 'image-viewer-img', src: image.src, alt: image.alt }),
    h('p', { class: 'image-viewer-label' }, `Image ${slot + 1} · press Esc or click to close`),
  );
  if (!viewer.open) viewer.showModal();
}

/** Makes the pair's images open full screen on a click. */
function zoomable(pair: HTMLElement): HTMLElement {
  pair.querySelectorAll('img').forEach((img, i) => {
    img.classList.add('zoomable');
    img.addEventListener('click', () => showImage(i === 0 ? 0 : 1));
  });
  return pair;
}

const pressCommand = (command: string) =>
  root.querySelector<HTMLButtonElement>(`button[data-command="${command}"]:not(:disabled)`)?.click();

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  const target = event.target as HTMLElement | null;
  // Typing in the set-up form, or a focused control's own Space and Enter, stay theirs.
  if (target?.closest('input, select, textarea')) return;
  const onControl = target?.closest('button, a, summary') != null;
  const phase = settingUp ? 'idle' : state?.phase;
  if (event.key === ' ' && !onControl) {
    if (phase === 'question') pressCommand('reveal');
    else if (phase === 'reveal') pressCommand('next');
    else return;
  } else if ((event.key === 's' || event.key === 'S') && phase === 'question') {
    pressCommand('skip');
  } else if ((event.key === '1' || event.key === '2') && (phase === 'question' || phase === 'reveal')) {
    showImage(event.key === '1' ? 0 : 1);
  } else {
    return;
  }
  event.preventDefault();
});

function countersLine(): HTMLElement {
  return h('p', { class: 'counters', 'aria-live': 'polite' }, counters.answered, ' · ', counters.connected);
}

function updateCounters(answered: number, connected: number): void {
  counters.answered.textContent = `${plural(answered, 'person has', 'people have')} answered both images`;
  counters.connected.textContent = `${plural(connected, 'participant')} connected`;
}

function controls(
  ...buttons: Array<[label: string, command: 'reveal' | 'next' | 'skip' | 'stop', primary?: boolean]>
) {
  const message = h('p', { class: 'form-error', role: 'alert' });
  const bar = h(
    'div',
    { class: 'controls', role: 'group', 'aria-label': 'Host controls' },
    ...buttons.map(([label, command, primary]) =>
      h(
        'button',
        {
          type: 'button',
          class: primary ? 'primary' : null,
          'data-command': command,
          onclick: async (event: Event) => {
            const button = event.currentTarget as HTMLButtonElement;
            button.disabled = true;
            message.textContent = '';
            const ack = await socket.request({ type: command });
            button.disabled = false;
            if (!ack.ok) message.textContent = ack.message;
          },
        },
        label,
      ),
    ),
  );
  return h('div', { class: 'host-controls' }, bar, message);
}

function setupForm(room: RoomInfo): HTMLElement {
  const error = h('p', { class: 'form-error', role: 'alert' });
  const category = h(
    'select',
    { id: 'category', name: 'category' },
    h('option', { value: '' }, 'All categories'),
    ...room.categories.map((c) => h('option', { value: c }, c)),
  );
  const rounds = h('input', {
    id: 'rounds',
    name: 'rounds',
    type: 'number',
    min: 1,
    max: room.limits.maxRounds,
    value: Math.min(5, room.limits.maxRounds),
    required: true,
    inputmode: 'numeric',
  });
  const seconds = h('input', {
    id: 'seconds',
    name: 'seconds',
    type: 'number',
    min: room.limits.minSeconds,
    max: room.limits.maxSeconds,
    value: room.limits.defaultSeconds,
    required: true,
    inputmode: 'numeric',
  });
  const models = room.models.map((m) =>
    h('input', { type: 'checkbox', name: 'models', value: m.id, id: `model-${m.id}` }),
  );
  const allowChanges = h('input', { type: 'checkbox', id: 'allow-changes', name: 'allowChanges' });
  const start = h('button', { type: 'submit', class: 'primary' }, 'Start the quiz');
  const form = h(
    'form',
    {
      class: 'setup',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        error.textContent = '';
        const chosen = models.filter((m) => m.checked).map((m) => m.value);
        if (chosen.length > room.limits.maxModels) {
          error.textContent = `Choose at most ${room.limits.maxModels} models.`;
          return;
        }
        start.disabled = true;
        const ack = await socket.request({
          type: 'start',
          category: category.value === '' ? null : category.value,
          rounds: Number(rounds.value),
          seconds: Number(seconds.value),
          models: chosen,
          allowChanges: allowChanges.checked,
        });
        start.disabled = false;
        if (ack.ok) settingUp = false;
        else error.textContent = ack.message;
      },
    },
    h('h1', {}, 'New quiz'),
    h('p', {}, `Question set: ${room.setName === 'official' ? 'MediConfusion' : room.setName}.`),
    room.setNote ? h('p', { class: 'set-note', role: 'note' }, room.setNote) : null,
    h('div', { class: 'field' }, h('label', { for: 'category' }, 'Category'), category),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'rounds' }, `Rounds (1–${room.limits.maxRounds})`),
      rounds,
    ),
    h(
      'div',
      { class: 'field' },
      h(
        'label',
        { for: 'seconds' },
        `Seconds per question (${room.limits.minSeconds}–${room.limits.maxSeconds})`,
      ),
      seconds,
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, `Models to compare with (at most ${room.limits.maxModels})`),
      models.length === 0
        ? h('p', { class: 'muted' }, 'No models are configured (see models.example.yaml).')
        : h(
            'ul',
            { class: 'checks' },
            ...room.models.map((m, i) =>
              h(
                'li',
                {},
                models[i] ?? null,
                h(
                  'label',
                  { for: `model-${m.id}` },
                  `${m.id} `,
                  h('span', { class: 'muted' }, `(${m.note})`),
                ),
              ),
            ),
          ),
    ),
    h(
      'div',
      { class: 'field check' },
      allowChanges,
      h('label', { for: 'allow-changes' }, 'Let people change their answers until the reveal'),
    ),
    start,
    error,
  );
  return form;
}

function renderState(): void {
  if (info === null || state === null) return;
  const s = state;
  const phaseKey = `${s.phase}:${s.question?.sessionId ?? ''}:${s.question?.round ?? ''}:${settingUp}`;
  const notices =
    s.notices.length > 0
      ? h('div', { class: 'notices', role: 'status' }, ...s.notices.map((n) => h('p', {}, n)))
      : null;
  countdown.stop();
  updateCounters(s.answered, s.connected);
  const header = (...extra: Array<HTMLElement | null>) =>
    h(
      'header',
      { class: 'top' },
      h('p', { class: 'brand' }, 'MediConfusion quiz'),
      ...extra,
      reachBadge(),
      status.el,
    );
  const phase = s.phase === 'idle' || settingUp ? 'idle' : s.phase;
  root.className = `host host-${phase}`;
  if (phaseKey !== lastPhaseKey && viewer.open) viewer.close();

  if (s.phase === 'idle' || settingUp) {
    render(
      root,
      header(),
      notices,
      h('div', { class: 'idle-layout' }, setupForm(info), joinPanel(info)),
      countersLine(),
    );
  } else if (s.phase === 'question' && s.question) {
    const q = s.question;
    countdown.start(q.deadline, clockOffset);
    render(
      root,
      h(
        'div',
        { class: 'question-bar' },
        h(
          'div',
          { class: 'progress' },
          h(
            'p',
            { class: 'round-number' },
            `Question ${q.number} of ${q.totalRounds}${q.category ? ` · ${q.category}` : ''}`,
          ),
          countersLine(),
          reachBadge(),
          status.el,
        ),
        countdown.el,
        joinStrip(info),
      ),
      notices,
      questionBlock(q, 'h1'),
      zoomable(imagesBlock(q, null)),
      h(
        'div',
        { class: 'host-footer' },
        controls(['Reveal', 'reveal', true], ['Skip', 'skip'], ['Stop', 'stop']),
        keysHint([
          [['Space'], 'reveal'],
          [['S'], 'skip'],
          [['1', '2'], 'image full screen (or click it)'],
        ]),
      ),
    );
  } else if (s.phase === 'reveal' && s.question && s.reveal) {
    const q = s.question;
    const r = s.reveal;
    const last = q.number >= q.totalRounds;
    render(
      root,
      header(h('p', { class: 'round-number' }, `Question ${q.number} of ${q.totalRounds} · answers`)),
      notices,
      h(
        'div',
        { class: 'reveal-layout' },
        h('div', { class: 'reveal-main' }, questionBlock(q, 'h1'), zoomable(imagesBlock(q, r))),
        h(
          'div',
          { class: 'reveal-side' },
          h(
            'section',
            { class: 'people', 'aria-label': 'People' },
            h(
              'p',
              { class: 'big-figure' },
              `People: ${percent(r.people.setAccuracy)} got both images right (${r.people.setCorrect} of ${r.people.participants})`,
              r.people.confusion === null ? '' : ` · ${percent(r.people.confusion)} confused`,
            ),
            r.fastest.length > 0
              ? h(
                  'p',
                  {},
                  'Fastest with both right: ',
                  r.fastest.map((f) => `${f.displayName} (${f.seconds}s)`).join(', '),
                )
              : null,
          ),
          splitBlock(r),
          modelsBlock(r),
        ),
      ),
      h(
        'div',
        { class: 'host-footer' },
        controls([last ? 'See the results' : 'Next question', 'next', true], ['Stop', 'stop']),
        keysHint([
          [['Space'], last ? 'results' : 'next question'],
          [['1', '2'], 'image full screen'],
        ]),
      ),
    );
  } else if (s.phase === 'summary' && s.summary) {
    const sum = s.summary;
    render(
      root,
      header(),
      notices,
      h('h1', {}, 'Results'),
      h(
        'p',
        { class: 'summary-line' },
        `${plural(sum.roundsPlayed, 'question')} played, ${plural(sum.participants, 'participant')}.`,
      ),
      h(
        'div',
        { class: 'summary-layout' },
        sum.standings.length === 0
          ? h('p', {}, 'Nobody answered.')
          : h(
              'table',
              { class: 'numbers standings' },
              h('caption', {}, 'Leaderboard (pairs with both images right, then images right)'),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, 'Rank'),
                  h('th', { scope: 'col' }, 'Name'),
                  h('th', { scope: 'col' }, 'Pairs right'),
                  h('th', { scope: 'col' }, 'Images right'),
                ),
              ),
              h(
                'tbody',
                {},
                ...sum.standings.map((p) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, p.rank),
                    h('th', { scope: 'row' }, p.displayName),
                    h('td', {}, `${p.setCorrect} of ${sum.roundsPlayed}`),
                    h('td', {}, `${p.imagesCorrect} of ${sum.roundsPlayed * 2}`),
                  ),
                ),
              ),
            ),
        sum.roundsPlayed > 0
          ? comparisonChart(sum.comparison, 'People versus models', { numbers: 'folded' })
          : null,
      ),
      h(
        'div',
        { class: 'host-footer' },
        h(
          'div',
          { class: 'controls' },
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              onclick: () => {
                settingUp = true;
                renderState();
              },
            },
            'New quiz',
          ),
          h('a', { class: 'button', href: '/stats' }, 'All statistics'),
        ),
      ),
    );
  }
  if (phaseKey !== lastPhaseKey) focusHeading(root);
  lastPhaseKey = phaseKey;
}

function onMessage(message: ServerMessage): void {
  switch (message.type) {
    case 'welcome':
      info = message.room;
      document.title = `Host quiz ${info.code}`;
      break;
    case 'state':
      state = message.state;
      clockOffset = message.state.serverNow - Date.now();
      renderState();
      break;
    case 'count':
      if (state !== null) {
        state = { ...state, answered: message.answered, connected: message.connected };
        updateCounters(message.answered, message.connected);
      }
      break;
    case 'error':
      if (message.fatal)
        render(root, h('h1', {}, 'Cannot open the host screen'), h('p', { role: 'alert' }, message.message));
      else status.el.textContent = message.message;
      break;
    default:
      break;
  }
}

const socket = new QuizSocket(
  () => ({ type: 'hello', role: 'host', room: code, key: key ?? '' }),
  onMessage,
  (s) => status.set(s),
);

if (key === null || key === '') {
  render(
    root,
    h('h1', {}, 'Host link needed'),
    h(
      'p',
      {},
      'This page needs the host link with its secret key, as printed by the server when it started (it ends in #key=…).',
    ),
    h('p', {}, 'Joining as a participant? ', h('a', { href: `/join/${code}` }, `Join room ${code}`)),
  );
} else {
  socket.open();
}
