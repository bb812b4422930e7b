import { type APIEmbed, type APIEmbedField, EmbedBuilder, escapeMarkdown } from 'discord.js';
import type { Leaderboard, ScopeStats, StatsScope } from '../quiz/stats.js';
import type { ParticipantResult, SessionSummary } from '../quiz/summary.js';
import type { Comparison, Tally, TallyRow } from '../quiz/tallies.js';
import { ALL_ROW } from '../scoring/summary-table.js';
import { clip } from './quiz-messages.js';

/**
 * Tables of results for Discord: people against each model per category (the session summary and
 * /stats), the session's participants and podium, and /leaderboard. Numbers sit in code blocks so the
 * columns line up in every Discord client; embeds keep within Discord's limits (1024 characters per
 * field, 6000 per message), leaving out whole categories rather than cutting a table in half.
 */

const FIELD_LIMIT = 1024;
const MESSAGE_EMBED_BUDGET = 5800;
const NAME_WIDTH = 18;

/** A name for a fixed-width column: no backticks (they would end the code block), padded or clipped. */
function cell(text: string, width: number): string {
  const clean = text.replaceAll('`', "'").replaceAll('\n', ' ');
  return clean.length > width ? `${clean.slice(0, width - 1)}…` : clean.padEnd(width);
}

function num(value: number, n: number, width: number): string {
  const text = n === 0 || !Number.isFinite(value) ? '–' : value.toFixed(1);
  return text.padStart(width);
}

function interval(row: TallyRow, width: number): string {
  if (row.n === 0) return ''.padEnd(width);
  const { low, high } = row.setInterval;
  return `${Math.round(low)}–${Math.round(high)}`.padEnd(width);
}

const HEADER = `${cell('who', NAME_WIDTH)} ${'set%'.padStart(5)}  ${'95% CI'.padEnd(7)} ${'ind%'.padStart(5)} ${'conf%'.padStart(5)} ${'n'.padStart(4)}`;

function tallyLine(who: string, row: TallyRow): string {
  return `${cell(who, NAME_WIDTH)} ${num(row.setAccuracy, row.n, 5)}  ${interval(row, 7)} ${num(row.individualAccuracy, row.n, 5)} ${num(row.confusion, row.n, 5)} ${String(row.n).padStart(4)}`;
}

function rowOf(tally: Tally, category: string): TallyRow | undefined {
  return tally.rows.find((r) => r.category === category);
}

/** One category's table: people, each model, and what guessing scores. */
export function comparisonBlock(comparison: Comparison, category: string): string {
  const lines = [HEADER];
  const people = rowOf(comparison.people, category);
  if (people) lines.push(tallyLine('people', people));
  for (const model of comparison.models) {
    const row = rowOf(model, category);
    if (row) lines.push(tallyLine(model.who, row));
  }
  const chance = comparison.chance;
  lines.push(
    `${cell('chance', NAME_WIDTH)} ${chance.setAccuracy.toFixed(1).padStart(5)}  ${''.padEnd(7)} ${chance.individualAccuracy.toFixed(1).padStart(5)} ${chance.confusion.toFixed(1).padStart(5)}`,
  );
  return `\`\`\`\n${lines.join('\n')}\n\`\`\``;
}

/** Categories anyone (people or a model) answered, in the set's order, `All` first. */
export function answeredCategories(comparison: Comparison): string[] {
  const tallies = [comparison.people, ...comparison.models];
  const order = comparison.people.rows.map((r) => r.category);
  const answered = order.filter((category) => tallies.some((t) => (rowOf(t, category)?.n ?? 0) > 0));
  return [...answered.filter((c) => c === ALL_ROW), ...answered.filter((c) => c !== ALL_ROW)];
}

export const COMPARISON_LEGEND =
  'set% = both images of a pair right · ind% = single images right · conf% = same answer for both images · 95% CI = Wilson interval of set% · n = answered pairs · chance = guessing';

/** Comparison tables as embed fields, one per category, within the message budget. */
export function comparisonFields(
  comparison: Comparison,
  categories: readonly string[],
  budget: number,
): { fields: APIEmbedField[]; omitted: string[] } {
  const fields: APIEmbedField[] = [];
  const omitted: string[] = [];
  let used = 0;
  for (const category of categories) {
    const value = comparisonBlock(comparison, category);
    const name = category === ALL_ROW ? 'All categories' : category;
    const size = value.length + name.length;
    if (value.length > FIELD_LIMIT || used + size > budget || fields.length >= 25) {
      omitted.push(category);
      continue;
    }
    used += size;
    fields.push({ name, value });
  }
  return { fields, omitted };
}

function embedSize(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0)
  );
}

// ---- session summary ------------------------------------------------------------------------------------

const MEDALS = ['🥇', '🥈', '🥉'];
const PARTICIPANT_ROWS = 20;

function participantsTable(participants: readonly ParticipantResult[]): string {
  const lines = [
    `${'#'.padStart(3)} ${cell('name', NAME_WIDTH)} ${'set%'.padStart(5)} ${'ind%'.padStart(5)} ${'pairs'.padStart(5)}`,
  ];
  for (const p of participants.slice(0, PARTICIPANT_ROWS)) {
    lines.push(
      `${String(p.rank).padStart(3)} ${cell(p.displayName, NAME_WIDTH)} ${p.setAccuracy.toFixed(1).padStart(5)} ${p.individualAccuracy.toFixed(1).padStart(5)} ${String(p.pairsAnswered).padStart(5)}`,
    );
  }
  if (participants.length > PARTICIPANT_ROWS) {
    lines.push(`… and ${participants.length - PARTICIPANT_ROWS} more`);
  }
  return `\`\`\`\n${lines.join('\n')}\n\`\`\``;
}

const END_TEXT: Record<string, string> = {
  completed: 'All questions played.',
  stopped: 'The host stopped the quiz.',
  expired: 'The quiz ended while the bot was offline; every answer given before is counted.',
  exhausted: 'No more questions were left in the chosen category.',
};

/** The end-of-session message: podium, everyone's accuracy, and people against the models per category. */
export function summaryEmbeds(summary: SessionSummary): APIEmbed[] {
  const lines: string[] = [END_TEXT[summary.endReason ?? ''] ?? 'The quiz is over.'];
  lines.push(
    `${summary.roundsPlayed} question${summary.roundsPlayed === 1 ? '' : 's'} revealed · ${summary.participants.length} participant${summary.participants.length === 1 ? '' : 's'}`,
  );
  if (summary.podium.length > 0) {
    lines.push(
      '',
      '**Podium** (set accuracy first, then single images; time only breaks ties)',
      ...summary.podium.map(
        (p) =>
          `${MEDALS[p.rank - 1] ?? `${p.rank}.`} ${escapeMarkdown(clip(p.displayName, 60))}: both right ${p.setAccuracy.toFixed(0)}% · single images ${p.individualAccuracy.toFixed(0)}%`,
      ),
    );
  }
  if (summary.participants.length > 0) lines.push('', participantsTable(summary.participants));
  const results = new EmbedBuilder()
    .setTitle('🏁 Quiz results')
    .setColor(0xfee75c)
    .setDescription(clip(lines.join('\n'), 4096))
    .toJSON();
  const embeds: APIEmbed[] = [results];
  if (summary.roundsPlayed > 0) {
    const budget = MESSAGE_EMBED_BUDGET - embedSize(results) - COMPARISON_LEGEND.length - 100;
    const { fields, omitted } = comparisonFields(
      summary.comparison,
      answeredCategories(summary.comparison),
      budget,
    );
    const comparison = new EmbedBuilder()
      .setTitle('People vs models on these questions')
      .setColor(0x5865f2)
      .setFooter({
        text: `${COMPARISON_LEGEND}${omitted.length > 0 ? ` · not shown: ${omitted.join(', ')} (see /stats)` : ''}`,
      });
    if (fields.length > 0) comparison.addFields(fields);
    else comparison.setDescription('Nobody answered.');
    embeds.push(comparison.toJSON());
  }
  return embeds;
}

// ---- /stats and /leaderboard ----------------------------------------------------------------------------

export function scopeLabel(scope: StatsScope): string {
  switch (scope.kind) {
    case 'room':
      return 'this channel';
    case 'guild':
      return 'this server';
    case 'user':
      return 'you';
    case 'all':
      return 'everyone';
  }
}

/** /stats: people against each model per category (or one category), with intervals and chance. */
export function statsEmbeds(stats: ScopeStats, category: string | null): APIEmbed[] {
  const head = new EmbedBuilder()
    .setTitle(`People vs models · ${scopeLabel(stats.scope)}${category ? ` · ${category}` : ''}`)
    .setColor(0x5865f2);
  if (stats.rounds === 0) {
    head.setDescription(
      'No revealed quiz questions here yet. Start one with `/quiz start`; results count once a question is revealed.',
    );
    return [head.toJSON()];
  }
  head.setDescription(
    `${stats.rounds} revealed question${stats.rounds === 1 ? '' : 's'} in ${stats.sessions} quiz${stats.sessions === 1 ? '' : 'zes'} · ${stats.people} ${stats.people === 1 ? 'person' : 'people'}` +
      (stats.comparison.models.length === 0
        ? '\nNo model answers were shown in these quizzes (choose some with the `models` option of `/quiz start`).'
        : ''),
  );
  const categories = category === null ? answeredCategories(stats.comparison) : [category];
  const budget = MESSAGE_EMBED_BUDGET - embedSize(head.toJSON()) - COMPARISON_LEGEND.length - 100;
  const { fields, omitted } = comparisonFields(stats.comparison, categories, budget);
  if (fields.length > 0) head.addFields(fields);
  head.setFooter({
    text: `${COMPARISON_LEGEND}${omitted.length > 0 ? ` · not shown: ${omitted.join(', ')} (ask /stats for one category)` : ''}`,
  });
  return [head.toJSON()];
}

export function leaderboardEmbeds(board: Leaderboard): APIEmbed[] {
  const embed = new EmbedBuilder()
    .setTitle(`🏆 Leaderboard · ${scopeLabel(board.scope)}${board.category ? ` · ${board.category}` : ''}`)
    .setColor(0xfee75c);
  const rules = `Ranked by set accuracy (both images of a pair right), then single-image accuracy. Speed never counts here. Only people with at least ${board.minPairs} answered pair${board.minPairs === 1 ? '' : 's'} are ranked.`;
  if (board.entries.length === 0) {
    embed.setDescription(
      `${rules}\n\nNobody qualifies yet${board.belowMinimum > 0 ? ` (${board.belowMinimum} ${board.belowMinimum === 1 ? 'person has' : 'people have'} answered fewer pairs)` : ''}.`,
    );
    return [embed.toJSON()];
  }
  const lines = [
    `${'#'.padStart(3)} ${cell('name', NAME_WIDTH)} ${'set%'.padStart(5)}  ${'95% CI'.padEnd(7)} ${'ind%'.padStart(5)} ${'pairs'.padStart(5)}`,
    ...board.entries.map(
      (e) =>
        `${String(e.rank).padStart(3)} ${cell(e.displayName, NAME_WIDTH)} ${e.setAccuracy.toFixed(1).padStart(5)}  ${`${Math.round(e.setInterval.low)}–${Math.round(e.setInterval.high)}`.padEnd(7)} ${e.individualAccuracy.toFixed(1).padStart(5)} ${String(e.pairs).padStart(5)}`,
    ),
  ];
  embed.setDescription(
    clip(
      `${rules}\n\`\`\`\n${lines.join('\n')}\n\`\`\`${board.belowMinimum > 0 ? `\n${board.belowMinimum} more ${board.belowMinimum === 1 ? 'person has' : 'people have'} answered fewer than ${board.minPairs} pairs.` : ''}`,
      4096,
    ),
  );
  return [embed.toJSON()];
}
