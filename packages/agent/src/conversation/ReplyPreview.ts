import type { LlmEvent } from '../providers/llm/types.ts';

/**
 * The model's reply to a customer message that has not been said yet: a voice customer has
 * paused, and while the endpointer waits to be sure the turn is over, the model is already
 * answering what it heard. If the turn does end there, the conversation takes the reply as
 * its own (buffered events first, then the rest as it streams) and the customer hears it
 * sooner by the model's whole first-token time; if the customer goes on, it is dropped and
 * nothing of it was shown, stored or acted on (tool calls run only once taken).
 */
export class ReplyPreview {
  private readonly buffer: LlmEvent[] = [];
  private finished = false;
  private failure?: unknown;
  private wake?: () => void;
  private readonly controller = new AbortController();
  private taken = false;
  /** when the model's first event arrived (epoch ms), for the turn's metrics */
  firstEventAt?: number;

  constructor(
    /** the customer message the reply answers */
    readonly text: string,
    /** the conversation's history version it was asked on: a reply to another history is void */
    readonly historyVersion: number,
    start: (signal: AbortSignal) => Promise<AsyncIterable<LlmEvent>>,
  ) {
    void this.pump(start);
  }

  get discarded(): boolean {
    return this.controller.signal.aborted;
  }

  /** The customer went on speaking (or said something else): stop the model, forget the reply. */
  discard(): void {
    if (!this.taken) this.controller.abort();
  }

  /**
   * The reply's events from the start: what was buffered, then the rest as it arrives. Taken
   * once; aborting `signal` (the conversation cancelled its turn) stops the model.
   */
  async *take(signal: AbortSignal): AsyncIterable<LlmEvent> {
    if (this.taken) throw new Error('a reply preview is taken once');
    this.taken = true;
    const stop = () => this.controller.abort();
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      let next = 0;
      for (;;) {
        while (next < this.buffer.length) yield this.buffer[next++]!;
        if (this.failure !== undefined) throw this.failure;
        if (this.finished) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  private async pump(start: (signal: AbortSignal) => Promise<AsyncIterable<LlmEvent>>): Promise<void> {
    try {
      for await (const event of await start(this.controller.signal)) {
        this.firstEventAt ??= Date.now();
        this.buffer.push(event);
        this.notify();
      }
      this.finished = true;
    } catch (err) {
      this.failure = err;
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
