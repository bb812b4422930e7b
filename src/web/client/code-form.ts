import { ROOM_CODE_LENGTH } from '../wire-constants.js';
import { h } from './common.js';

/** The form that takes a room code to that room's join page: on the start page, and at /join without a code. */
export function roomCodeForm(
  heading: 'h1' | 'h2',
  submitLabel: string,
): { form: HTMLFormElement; input: HTMLInputElement } {
  const input = h('input', {
    id: 'code',
    name: 'code',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    maxlength: ROOM_CODE_LENGTH,
    required: true,
    class: 'code-input',
  });
  const form = h(
    'form',
    {
      class: 'join-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        location.href = `/join/${encodeURIComponent(input.value.trim().toUpperCase())}`;
      },
    },
    h(heading, {}, 'Join a quiz'),
    h('div', { class: 'field' }, h('label', { for: 'code' }, "Room code (on the host's screen)"), input),
    h('button', { type: 'submit', class: 'primary big' }, submitLabel),
  );
  return { form, input };
}
