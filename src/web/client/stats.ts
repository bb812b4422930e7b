import type { StatsView } from '../protocol.js';
import { app, h, plural, render } from './common.js';
import { comparisonChart } from './comparison.js';

/** People against each model over every revealed question: the same figures as Discord's /stats. */

const root = app();

async function load(): Promise<void> {
  const room = new URLSearchParams(location.search).get('room');
  const response = await fetch(`/api/stats${room ? `?room=${encodeURIComponent(room)}` : ''}`);
  const body = (await response.json()) as StatsView | { message: string };
  if (!response.ok || !('comparison' in body)) {
    render(
      root,
      h('h1', {}, 'Statistics'),
      h('p', { role: 'alert' }, 'message' in body ? body.message : 'Could not load the statistics.'),
    );
    return;
  }
  render(
    root,
    h('h1', {}, 'People versus models'),
    h(
      'p',
      {},
      `Scope: ${body.scope}. ${plural(body.sessions, 'quiz', 'quizzes')}, ${plural(body.rounds, 'revealed question')}, ${plural(body.people, 'person', 'people')}. Question set: ${body.setName}.`,
    ),
    h(
      'p',
      { class: 'muted' },
      'Set accuracy: both images of a pair right. Individual accuracy: images right. Confusion: the same answer for both images of a pair. Intervals are 95% Wilson intervals; n counts answered pairs.',
    ),
    body.rounds === 0
      ? h('p', {}, 'No question has been revealed yet. Play a quiz and come back.')
      : comparisonChart(body.comparison, 'Set accuracy per category'),
    h('p', {}, h('a', { href: '/' }, 'Back to the start page')),
  );
}

void load().catch(() =>
  render(root, h('h1', {}, 'Statistics'), h('p', { role: 'alert' }, 'Could not load the statistics.')),
);
