import type { Choice, Choices, PlayerView, RoomInfo, RoomState, ServerMessage } from '../protocol.js';
import { MAX_NAME_LENGTH } from '../wire-constants.js';
import { roomCodeForm } from './code-form.js';
import {
  app,
  browserId,
  Countdown,
  focusHeading,
  h,
  pageData,
  plural,
  QuizSocket,
  render,
  statusLine,
} from './common.js';
import { answerButton, answerGroup, imagesBlock, questionBlock, verdictText } from './pair.js';

/** The participant's page, made for a phone: join with a name, answer image 1 and image 2, see how it went. */

const NAME_KEY = 'mediconfusion.name';
const { room: code } = pageData<{ room: string | null }>();
const root = app();
const status = statusLine();
const countdown = new Countdown();

let info: RoomInfo | null = null;
let state: RoomState | null = null;
/** The server's clock minus this device's, measured when the state arrived (re-renders come later). */
let clockOffset = 0;
let me: PlayerView | null = null;
let lastPhaseKey = '';
/** Answers acknowledged by the server for the current round, kept over a stale `me` that crosses them. */
let acked: { key: string; choices: Choices } = { key: '', choices: [null, null] };
let message = '';
let socket: QuizSocket | null = null;

const roundKey = () => (state?.question ? `${state.question.sessionId}#${state.question.round}` : '');

function choices(): Choices {
  const fromServer = me?.choices ?? [null, null];
  if (acked.key !== roundKey()) return fromServer;
  return [fromServer[0] ?? acked.choices[0], fromServer[1] ?? acked.choices[1]];
}

function codeForm(): void {
  const { form, input } = roomCodeForm('h1', 'Next');
  render(root, form);
  input.focus();
}

function nameForm(room: string, error = ''): void {
  const input = h('input', {
    id: 'name',
    name: 'name',
    autocomplete: 'nickname',
    maxlength: MAX_NAME_LENGTH,
    required: true,
    value: localStorage.getItem(NAME_KEY) ?? '',
  });
  const errorLine = h('p', { class: 'form-error', role: 'alert' }, error);
  render(
    root,
    h(
      'form',
      {
        class: 'join-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const name = input.value.replace(/\s+/g, ' ').trim();
          if (name === '') {
            errorLine.textContent = 'Type a name to show on the scoreboard.';
            return;
          }
          localStorage.setItem(NAME_KEY, name);
          connect(room);
        },
      },
      h('h1', {}, `Join quiz ${room}`),
      h('div', { class: 'field' }, h('label', { for: 'name' }, 'Your name (shown on the scoreboard)'), input),
      h('button', { type: 'submit', class: 'primary big' }, 'Join'),
      errorLine,
    ),
  );
  input.focus();
}

function connect(room: string): void {
  if (socket !== null) {
    socket.reconnect();
    return;
  }
  render(root, h('p', {}, 'Joining…'));
  socket = new QuizSocket(
    () => ({
      type: 'hello',
      role: 'player',
      room,
      player: browserId(),
      name: localStorage.getItem(NAME_KEY) ?? '',
    }),
    onMessage,
    (s) => status.set(s),
  );
  socket.open();
}

async function answer(slot: 0 | 1, option: Choice): Promise<void> {
  const q = state?.question;
  if (!q || socket === null) return;
  message = '';
  const key = roundKey();
  const ack = await socket.request({ type: 'answer', sessionId: q.sessionId, round: q.round, slot, option });
  if (ack.choices) acked = { key, choices: ack.choices };
  if (ack.ok) {
    if (me) me = { ...me, locked: ack.locked ?? me.locked };
  } else {
    message = ack.message;
  }
  renderState();
  focusAfterAnswer(slot, option);
}

/**
 * The page re-renders after each answer; keyboard focus goes on to what comes next instead of falling back
 * to the page: image 2's first answer after image 1, else the button just pressed, else (when answers are
 * locked) the line that says so.
 */
function focusAfterAnswer(slot: 0 | 1, option: Choice): void {
  const current = choices();
  const enabled = (selector: string) => root.querySelector<HTMLButtonElement>(`${selector}:not(:disabled)`);
  const next =
    (slot === 0 && current[1] === null ? enabled('button[data-slot="1"][data-option="A"]') : null) ??
    enabled(`button[data-slot="${slot}"][data-option="${option}"]`) ??
    root.querySelector<HTMLElement>('.confirmation-all');
  if (next === null) return;
  if (next.tagName !== 'BUTTON') next.tabIndex = -1;
  next.focus({ preventScroll: false });
}

/** Which answer button has focus, so that a re-render can give it back. */
function focusedAnswer(): string | null {
  const active = document.activeElement;
  if (!(active instanceof HTMLButtonElement) || !root.contains(active)) return null;
  const slot = active.dataset.slot;
  const option = active.dataset.option;
  return slot && option ? `button[data-slot="${slot}"][data-option="${option}"]` : null;
}

function answerButtons(slot: 0 | 1, chosen: Choice | null, locked: boolean, closed: boolean): HTMLElement {
  const q = state?.question;
  const button = (option: Choice) =>
    answerButton(option, q?.options[option] ?? '', chosen, {
      disabled: locked || closed,
      'data-slot': slot,
      'data-option': option,
      onclick: () => void answer(slot, option),
    });
  return answerGroup(
    slot,
    button,
    h(
      'p',
      { class: chosen === null ? 'confirmation confirmation-pending' : 'confirmation' },
      chosen === null ? 'Not answered yet.' : `Recorded: image ${slot + 1} is ${chosen}.`,
    ),
  );
}

function scoreLine(view: PlayerView): HTMLElement {
  const s = view.score;
  return h(
    'p',
    { class: 'score' },
    s.rounds === 0
      ? 'No question revealed yet.'
      : `Your score: ${s.setCorrect} of ${plural(s.rounds, 'pair')} fully right (${s.imagesCorrect} of ${s.rounds * 2} images)${s.rank === null ? '' : `, rank ${s.rank}`}.`,
  );
}

function renderState(): void {
  if (info === null || state === null || me === null) return;
  const s = state;
  const view = me;
  const phaseKey = `${s.phase}:${roundKey()}`;
  const header = h(
    'header',
    { class: 'top' },
    h('p', { class: 'brand' }, `Quiz ${info.code} · ${view.name}`),
    h('button', { type: 'button', class: 'link', onclick: () => nameForm(info?.code ?? '') }, 'Change name'),
    status.el,
  );
  const alert = h('p', { class: 'form-error', role: 'alert' }, message);
  const hadFocus = phaseKey === lastPhaseKey ? focusedAnswer() : null;
  countdown.stop();
  if (s.phase === 'idle') {
    render(
      root,
      header,
      h('h1', {}, `You're in, ${view.name}!`),
      h('p', { class: 'waiting' }, 'Waiting for the host to start the quiz…'),
    );
  } else if (s.phase === 'question' && s.question) {
    const q = s.question;
    const current = choices();
    const closed = Date.now() + clockOffset > q.deadline;
    countdown.start(q.deadline, clockOffset);
    const both = current[0] !== null && current[1] !== null;
    render(
      root,
      header,
      h('p', { class: 'round-number' }, `Question ${q.number} of ${q.totalRounds} · `, countdown.el),
      questionBlock(q, 'h1'),
      imagesBlock(q, null),
      h(
        'div',
        { class: 'answers' },
        answerButtons(0, current[0], view.locked, closed),
        answerButtons(1, current[1], view.locked, closed),
      ),
      h(
        'p',
        { class: 'confirmation-all', role: 'status' },
        both
          ? view.locked
            ? 'Both answers are locked in. Wait for the reveal.'
            : 'Both answered. You can change them until the reveal.'
          : '',
      ),
      alert,
    );
  } else if (s.phase === 'reveal' && s.question && s.reveal) {
    const q = s.question;
    const r = s.reveal;
    const mine = choices();
    const result = view.result;
    render(
      root,
      header,
      h('p', { class: 'round-number' }, `Question ${q.number} of ${q.totalRounds} · answers`),
      h(
        'h1',
        { class: `result ${result?.setCorrect ? 'result-right' : 'result-wrong'}` },
        result === null ? 'You did not answer this one.' : verdictText(result),
      ),
      h(
        'ul',
        { class: 'my-answers' },
        ...([0, 1] as const).map((slot) => {
          const image = r.images[slot];
          const chosen = mine[slot];
          const right = chosen === image.correct;
          return h(
            'li',
            { class: right ? 'mark-right' : 'mark-wrong' },
            `Image ${slot + 1}: the answer is ${image.correct} (${image.correctText}). `,
            chosen === null ? 'You did not answer.' : `You answered ${chosen} ${right ? '✓' : '✗'}.`,
          );
        }),
      ),
      imagesBlock(q, r),
      h('p', {}, `People: ${r.people.setCorrect} of ${r.people.participants} got both right.`),
      scoreLine(view),
    );
  } else if (s.phase === 'summary' && s.summary) {
    render(
      root,
      header,
      h('h1', {}, 'The quiz is over'),
      scoreLine(view),
      h('p', {}, `${plural(s.summary.participants, 'participant')} took part. Thanks for playing!`),
      h('p', {}, 'Stay on this page: the next quiz will show up here.'),
    );
  }
  if (phaseKey !== lastPhaseKey) focusHeading(root);
  else if (hadFocus !== null) root.querySelector<HTMLElement>(hadFocus)?.focus({ preventScroll: true });
  lastPhaseKey = phaseKey;
}

function onMessage(msg: ServerMessage): void {
  switch (msg.type) {
    case 'welcome':
      info = msg.room;
      break;
    case 'state':
      if (
        state?.question?.sessionId !== msg.state.question?.sessionId ||
        state?.question?.round !== msg.state.question?.round
      ) {
        message = '';
      }
      state = msg.state;
      clockOffset = msg.state.serverNow - Date.now();
      renderState();
      break;
    case 'me':
      me = msg.me;
      renderState();
      break;
    case 'count':
      break;
    case 'error':
      if (msg.fatal) {
        render(
          root,
          h('h1', {}, 'Cannot join'),
          h('p', { role: 'alert' }, msg.message),
          h('p', {}, h('a', { href: '/join' }, 'Try another code')),
        );
      } else if (code !== null && msg.code === 'BAD_MESSAGE' && me === null) {
        nameForm(code, msg.message);
      } else {
        message = msg.message;
        renderState();
      }
      break;
    default:
      break;
  }
}

if (code === null) codeForm();
else if ((localStorage.getItem(NAME_KEY) ?? '') === '') nameForm(code);
else connect(code);
