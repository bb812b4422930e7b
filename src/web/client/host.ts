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

const { room: code } = pageData<{ room: string }>();
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

function joinPanel(room: RoomInfo): HTMLElement {
  return h(
    'aside',
    { class: 'join-panel', 'aria-label': 'How to join' },
    h('p', { class: 'join-title' }, 'Join on your phone'),
    h('img', { class: 'qr', src: room.qrUrl, alt: `QR code for the join link ${room.joinUrl}` }),
    h('p', { class: 'join-url' }, h('a', { href: room.joinUrl }, room.joinUrl)),
    h('p', { class: 'room-code' }, 'Room code ', h('strong', {}, room.code)),
  );
}

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
  return h('div', {}, bar, message);
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
    h('p', {}, `Questions from ${room.setName}.`),
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
  const header = h('header', { class: 'top' }, h('p', { class: 'brand' }, 'MediConfusion quiz'), status.el);

  if (s.phase === 'idle' || settingUp) {
    render(
      root,
      header,
      notices,
      h('div', { class: 'idle-layout' }, setupForm(info), joinPanel(info)),
      h('p', {}, countersLine()),
    );
  } else if (s.phase === 'question' && s.question) {
    const q = s.question;
    countdown.start(q.deadline, clockOffset);
    render(
      root,
      header,
      notices,
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
        ),
        countdown.el,
        joinStrip(info),
      ),
      questionBlock(q, 'h1'),
      imagesBlock(q, null),
      controls(['Reveal', 'reveal', true], ['Skip', 'skip'], ['Stop', 'stop']),
    );
  } else if (s.phase === 'reveal' && s.question && s.reveal) {
    const q = s.question;
    const r = s.reveal;
    const last = q.number >= q.totalRounds;
    render(
      root,
      header,
      notices,
      h('p', { class: 'round-number' }, `Question ${q.number} of ${q.totalRounds} · answers`),
      questionBlock(q, 'h1'),
      imagesBlock(q, r),
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
      controls([last ? 'See the results' : 'Next question', 'next', true], ['Stop', 'stop']),
    );
  } else if (s.phase === 'summary' && s.summary) {
    const sum = s.summary;
    render(
      root,
      header,
      notices,
      h('h1', {}, 'Results'),
      h(
        'p',
        {},
        `${plural(sum.roundsPlayed, 'question')} played, ${plural(sum.participants, 'participant')}.`,
      ),
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
      sum.roundsPlayed > 0 ? comparisonChart(sum.comparison, 'People versus models, per category') : null,
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
