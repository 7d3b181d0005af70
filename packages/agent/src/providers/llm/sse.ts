/**
 * Server-sent events, parsed incrementally: a network chunk may end anywhere (inside a field, between
 * the `\r` and `\n` of a line break), so the parser keeps the unfinished line and the event being
 * built across calls to `push`.
 */

export interface SseMessage {
  /** the `event:` field; 'message' when the server sent none */
  event: string;
  /** every `data:` line of the event, joined with '\n' as the SSE spec says */
  data: string;
}

const LINE_BREAK = /\r\n?|\n/g;

export class SseParser {
  private partialLine = '';
  private dataLines: string[] = [];
  private eventName = '';
  /** a chunk ended on '\r': a '\n' opening the next chunk belongs to the same line break */
  private pendingCarriageReturn = false;

  /** Feeds decoded text; returns the events completed by it, in order. */
  push(text: string): SseMessage[] {
    // an empty chunk (a decoder holding half a character) must not forget a pending '\r'
    if (text === '') return [];
    const messages: SseMessage[] = [];
    let start = 0;
    if (this.pendingCarriageReturn && text.startsWith('\n')) start = 1;
    this.pendingCarriageReturn = false;
    LINE_BREAK.lastIndex = start;
    for (let match = LINE_BREAK.exec(text); match; match = LINE_BREAK.exec(text)) {
      this.takeLine(this.partialLine + text.slice(start, match.index), messages);
      this.partialLine = '';
      start = LINE_BREAK.lastIndex;
      if (match[0] === '\r' && start === text.length) this.pendingCarriageReturn = true;
    }
    this.partialLine += text.slice(start);
    return messages;
  }

  /** The stream ended: an event the server did not close with a blank line still counts. */
  end(): SseMessage[] {
    const messages: SseMessage[] = [];
    if (this.partialLine) this.takeLine(this.partialLine, messages);
    this.partialLine = '';
    this.takeLine('', messages);
    return messages;
  }

  private takeLine(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.dataLines.length > 0) {
        out.push({ event: this.eventName || 'message', data: this.dataLines.join('\n') });
      }
      this.dataLines = [];
      this.eventName = '';
      return;
    }
    // comments carry keep-alives (": ping", ": OPENROUTER PROCESSING") and nothing else
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
    // `id` and `retry` only matter to EventSource reconnection, which a POST stream never does
  }
}
