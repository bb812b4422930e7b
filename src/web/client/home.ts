import { roomCodeForm } from './code-form.js';
import { app, h, pageData, render } from './common.js';

/** The start page: join a room by its code, or host a new room. */

const root = app();
const error = h('p', { class: 'form-error', role: 'alert' });

async function hostNewRoom(): Promise<void> {
  error.textContent = '';
  const response = await fetch('/api/rooms', { method: 'POST' });
  const body = (await response.json()) as { hostUrl?: string; message?: string };
  if (!response.ok || body.hostUrl === undefined) {
    error.textContent = body.message ?? 'Could not make a room.';
    return;
  }
  location.href = body.hostUrl;
}

render(
  root,
  h('h1', {}, 'MediConfusion quiz'),
  h(
    'p',
    {},
    'Pairs of medical images that look alike but need different answers. Can people tell them apart better than AI models?',
  ),
  roomCodeForm('h2', 'Join').form,
  h(
    'section',
    {},
    h('h2', {}, 'Host'),
    h(
      'p',
      {},
      'The host link of the main room is printed where the server was started. You can also make a new room:',
    ),
    h('button', { type: 'button', onclick: () => void hostNewRoom() }, 'Host a new room'),
    error,
  ),
  h('p', {}, h('a', { href: '/stats' }, 'Statistics: people versus models')),
  pageData<{ baseline?: boolean }>().baseline === true &&
    h(
      'p',
      {},
      h('a', { href: '/baseline' }, 'Private baseline'),
      ': answer pairs alone, at your own pace, for the research comparison with AI models.',
    ),
);
