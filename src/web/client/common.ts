import type { ClientMessage, RoomInfo, ServerMessage } from '../protocol.js';

/** Helpers shared by the pages: DOM building (text only, never HTML strings), the socket, formatting. */

type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** Creates an element; `on*` attributes become listeners, `false`/`null` attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * A table in a box that scrolls sideways when the screen is narrower than the table. The box takes the
 * keyboard's focus (arrow keys then scroll it), named after the table so a screen reader says what it holds.
 */
export function scrollingTable(label: string, table: HTMLTableElement): HTMLDivElement {
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': label }, table);
}

/** Replaces an element's content. */
export function render(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export function app(): HTMLElement {
  const el = document.getElementById('app');
  if (el === null) throw new Error('no #app element');
  return el;
}

/** The page's data, put in the HTML by the server. */
export function pageData<T>(): T {
  const el = document.getElementById('page-data');
  return JSON.parse(el?.textContent ?? '{}') as T;
}

export function percent(value: number | null, digits = 0): string {
  return value === null ? '–' : `${value.toFixed(digits)}%`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** A random id for this browser, kept so that a reload is the same participant. */
export function browserId(): string {
  const key = 'mediconfusion.participant';
  let id = localStorage.getItem(key);
  if (id === null || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
    const bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    id = btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    localStorage.setItem(key, id);
  }
  return id;
}

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

type AckMessage = Extract<ServerMessage, { type: 'ack' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type Request = DistributiveOmit<Extract<ClientMessage, { id: number }>, 'id'>;

/**
 * A WebSocket that comes back: after a drop it reconnects with growing pauses (up to 5 s) and says hello
 * again, so the page picks up where it was. Requests get their acknowledgement as a promise.
 */
export class QuizSocket {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (ack: AckMessage) => void>();
  private retryMs = 500;
  private stopped = false;

  constructor(
    private readonly hello: () => ClientMessage,
    private readonly onMessage: (message: ServerMessage) => void,
    private readonly onStatus: (status: ConnectionStatus) => void,
  ) {}

  open(): void {
    this.stopped = false;
    this.onStatus('connecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/ws`);
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.retryMs = 500;
      ws.send(JSON.stringify(this.hello()));
      this.onStatus('open');
    });
    ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as ServerMessage;
      if (message.type === 'ack') {
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      }
      if (message.type === 'error' && message.fatal) this.stopped = true;
      this.onMessage(message);
    });
    ws.addEventListener('close', () => {
      this.ws = null;
      for (const [id, resolve] of this.pending) {
        resolve({
          type: 'ack',
          id,
          ok: false,
          code: 'DISCONNECTED',
          message: 'The connection dropped; try again.',
        });
      }
      this.pending.clear();
      this.onStatus('closed');
      if (this.stopped) return;
      setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    });
  }

  /** Sends a request and resolves with the server's acknowledgement (or a failure if the connection drops). */
  request(message: Request): Promise<AckMessage> {
    const ws = this.ws;
    const id = this.nextId++;
    if (ws === null || ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve({
        type: 'ack',
        id,
        ok: false,
        code: 'DISCONNECTED',
        message: 'Not connected; reconnecting…',
      });
    }
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      ws.send(JSON.stringify({ ...message, id }));
    });
  }

  /** Reconnects at once with a new hello (after a name change). */
  reconnect(): void {
    this.ws?.close();
  }
}

/** The connection line: visible only when something is wrong. */
export function statusLine(): { el: HTMLElement; set(status: ConnectionStatus): void } {
  const el = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  return {
    el,
    set(status) {
      el.textContent =
        status === 'open' ? '' : status === 'connecting' ? 'Connecting…' : 'Connection lost, reconnecting…';
      el.classList.toggle('status-bad', status !== 'open');
    },
  };
}

/**
 * A countdown to a server deadline. `offset` is the server's clock minus this device's, so a phone whose
 * clock is wrong still counts down right.
 */
export class Countdown {
  private timer: number | null = null;
  readonly el = h('span', { class: 'countdown', role: 'timer', 'aria-label': 'time left' });

  start(deadline: number, offset: number): void {
    this.stop();
    const tick = () => {
      const left = Math.max(0, Math.ceil((deadline - (Date.now() + offset)) / 1000));
      this.el.textContent = `${left}s`;
      this.el.classList.toggle('countdown-low', left <= 5);
      if (left === 0) this.stop();
    };
    tick();
    this.timer = window.setInterval(tick, 250);
  }

  stop(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }
}

export function roomHeader(room: RoomInfo): HTMLElement {
  return h('p', { class: 'set-name' }, `Question set: ${room.setName}`);
}

/** Moves keyboard and screen-reader focus to a new view's heading. */
export function focusHeading(root: HTMLElement): void {
  const heading = root.querySelector<HTMLElement>('h1, h2');
  if (heading === null) return;
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}
