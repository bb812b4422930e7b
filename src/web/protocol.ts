import { z } from 'zod';
import { MAX_NAME_LENGTH, ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH } from './wire-constants.js';

/**
 * The web quiz's wire format, shared by the server (which validates every incoming message with these
 * schemas) and the browser client (which imports the types only). It is its own vocabulary, not the
 * engine's records: what may reach a browser is decided here, and nothing in a question message can tell
 * the answer (no correct option, no caption, no file name).
 */

export { MAX_NAME_LENGTH, ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH } from './wire-constants.js';

export const roomCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(new RegExp(`^[${ROOM_CODE_ALPHABET}]{${ROOM_CODE_LENGTH}}$`), {
    error: `a room code is ${ROOM_CODE_LENGTH} letters and digits, as shown on the host's screen`,
  });

export const displayNameSchema = z
  .string()
  .transform((s) => s.replace(/\s+/g, ' ').trim())
  .pipe(
    z
      .string()
      .min(1, { error: 'type a name to show on the scoreboard' })
      .max(MAX_NAME_LENGTH, { error: `names are at most ${MAX_NAME_LENGTH} characters` })
      .regex(/^[^\p{Cc}\p{Cf}]+$/u, { error: 'names cannot contain control characters' }),
  );

/** The participant's own random id, kept in the browser; the server never sends it back or shows it. */
export const playerSecretSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, {
  error: 'the participant id must be 16 to 64 letters, digits, "-" or "_"',
});
export const hostKeySchema = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, { error: 'malformed host key' });

const option = z.enum(['A', 'B']);
const requestId = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 31);

const helloSchema = z.discriminatedUnion('role', [
  z.strictObject({
    type: z.literal('hello'),
    role: z.literal('host'),
    room: roomCodeSchema,
    key: hostKeySchema,
  }),
  z.strictObject({
    type: z.literal('hello'),
    role: z.literal('player'),
    room: roomCodeSchema,
    player: playerSecretSchema,
    name: displayNameSchema,
  }),
]);

export const clientMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  z.strictObject({
    type: z.literal('answer'),
    id: requestId,
    sessionId: z.string().min(1).max(100),
    round: z.number().int().positive(),
    slot: z.union([z.literal(0), z.literal(1)]),
    option,
  }),
  z.strictObject({
    type: z.literal('start'),
    id: requestId,
    category: z.string().max(100).nullable(),
    // Loose bounds: the engine checks the real limits and says them in its refusal.
    rounds: z.number().int().min(0).max(10_000),
    seconds: z.number().int().min(0).max(1_000_000),
    models: z.array(z.string().min(1).max(100)).max(20),
    allowChanges: z.boolean(),
  }),
  // Host controls name the question they were pressed on; a press from a screen that is behind (a second
  // host screen, a slow phone) is refused with STALE_ACTION and changes nothing.
  z.strictObject({
    type: z.enum(['reveal', 'next', 'skip', 'stop']),
    id: requestId,
    sessionId: z.string().min(1).max(100),
    round: z.number().int().positive(),
  }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type HostCommand = Extract<ClientMessage, { type: 'start' | 'reveal' | 'next' | 'skip' | 'stop' }>;

// ---- server → browser ------------------------------------------------------------------------------------

export type Choice = 'A' | 'B';
export type Choices = [Choice | null, Choice | null];

export interface OfferedModelView {
  id: string;
  note: string;
}

/** What does not change while a page is open. */
export interface RoomInfo {
  code: string;
  joinUrl: string;
  /** The QR code of the join link (an SVG document's URL on this server). */
  qrUrl: string;
  /** Shown above every page when set, e.g. that the demo set is in use and why. */
  banner: string | null;
  /** For the host: how many of the set's pairs are playable and why the others are not (partial downloads). */
  setNote: string | null;
  setName: string;
  categories: string[];
  models: OfferedModelView[];
  limits: {
    maxRounds: number;
    minSeconds: number;
    maxSeconds: number;
    maxModels: number;
    defaultSeconds: number;
  };
}

export interface ImageView {
  /** An opaque, per-round URL: it says nothing about the image or its answer. */
  url: string;
  alt: string;
}

export interface QuestionView {
  sessionId: string;
  round: number;
  number: number;
  totalRounds: number;
  category: string | null;
  question: string;
  options: { A: string; B: string };
  images: [ImageView, ImageView];
  startedAt: number;
  deadline: number;
  allowChanges: boolean;
}

export interface ImageRevealView {
  correct: Choice;
  correctText: string;
  caption: string;
  sourceUrl: string | null;
  picks: { A: number; B: number };
  answered: number;
  right: number;
  rightShare: number | null;
}

export interface ModelRevealView {
  modelId: string;
  status: 'answered' | 'failed' | 'pending';
  chosen: Choices;
  correct: [boolean, boolean];
  setCorrect: boolean;
  confused: boolean;
  /** The model's probability for each chosen option, when its run recorded one (greedy, prefix, --logprobs). */
  confidence: [number | null, number | null];
  reason: string | null;
}

export interface RevealView {
  images: [ImageRevealView, ImageRevealView];
  people: {
    participants: number;
    completed: number;
    setCorrect: number;
    setAccuracy: number | null;
    confused: number;
    confusion: number | null;
  };
  models: ModelRevealView[];
  /** The fastest people with both images right (names only). */
  fastest: Array<{ displayName: string; seconds: number }>;
  closedBy: 'timer' | 'host' | 'stop' | 'recovery';
}

export interface RowView {
  category: string;
  n: number;
  setAccuracy: number;
  setLow: number;
  setHigh: number;
  individualAccuracy: number;
  individualLow: number;
  individualHigh: number;
  confusion: number;
  invalid: number;
}

export interface SeriesView {
  who: string;
  kind: 'people' | 'model';
  pairs: number;
  rows: RowView[];
}

export interface ComparisonView {
  /** Row order: the set's categories, then `All`. */
  categories: string[];
  series: SeriesView[];
  chance: { setAccuracy: number; individualAccuracy: number; confusion: number };
}

export interface StandingView {
  rank: number;
  displayName: string;
  pairsAnswered: number;
  setCorrect: number;
  imagesCorrect: number;
  setAccuracy: number;
  individualAccuracy: number;
}

export interface SummaryView {
  sessionId: string;
  endReason: 'completed' | 'stopped' | 'expired' | 'exhausted' | null;
  roundsPlayed: number;
  participants: number;
  /** The first ten. */
  standings: StandingView[];
  comparison: ComparisonView;
}

export type Phase = 'idle' | 'question' | 'reveal' | 'summary';

/** The room as everyone sees it; sent whole on every change (small) and on (re)connection. */
export interface RoomState {
  phase: Phase;
  question: QuestionView | null;
  reveal: RevealView | null;
  summary: SummaryView | null;
  /** People who answered both images of the current question. */
  answered: number;
  /** Participants connected now. */
  connected: number;
  notices: string[];
  /** The server's clock when sent, so countdowns are right whatever the device's clock says. */
  serverNow: number;
}

/** What only one participant sees. */
export interface PlayerView {
  name: string;
  /** This participant's answers to the current question. */
  choices: Choices;
  locked: boolean;
  /** At a reveal: how this participant did on it. */
  result: { correct: [boolean, boolean]; setCorrect: boolean; confused: boolean } | null;
  /** This session so far. */
  score: { rounds: number; setCorrect: number; imagesCorrect: number; rank: number | null };
}

export type ServerMessage =
  | { type: 'welcome'; role: 'host' | 'player'; room: RoomInfo }
  | { type: 'state'; state: RoomState }
  | { type: 'me'; me: PlayerView }
  | { type: 'count'; round: number; answered: number; connected: number }
  | { type: 'ack'; id: number; ok: true; choices?: Choices; locked?: boolean }
  | { type: 'ack'; id: number; ok: false; code: string; message: string; choices?: Choices }
  /** A message that could not be handled at all (malformed, not allowed); `fatal` closes the socket. */
  | { type: 'error'; code: string; message: string; fatal: boolean };

export interface StatsView {
  scope: string;
  sessions: number;
  rounds: number;
  people: number;
  setName: string;
  banner: string | null;
  comparison: ComparisonView;
}
