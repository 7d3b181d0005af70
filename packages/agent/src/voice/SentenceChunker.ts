/**
 * Cuts a streamed reply into pieces a speech engine can start on: whole sentences, and for a
 * long first sentence its first clause, so the customer hears the agent as soon as there is
 * something sayable rather than when the model has finished.
 */
// Latin punctuation ends a sentence only once the next word starts ("3." may become "3.5");
// CJK and Arabic full stops end it at once, as no space follows them.
const SENTENCE_END = /[.!?…]+["'”’)\]]*\s+|[。！？؟]+/u;
const CLAUSE_END = /[,;:،、，；]\s+/u;
/** a first clause shorter than this sounds clipped; wait for more */
const MIN_CLAUSE = 24;
/** stop waiting for a sentence end: some replies barely punctuate */
const MAX_PIECE = 220;

export class SentenceChunker {
  private buffer = '';
  private emitted = 0;

  /** Add streamed text; returns the pieces now ready to be spoken. */
  push(delta: string): string[] {
    this.buffer += delta;
    const ready: string[] = [];
    for (;;) {
      const piece = this.take();
      if (!piece) break;
      ready.push(piece);
    }
    return ready;
  }

  /** The reply ended: whatever is left. */
  flush(): string[] {
    const rest = this.buffer.trim();
    this.buffer = '';
    return rest ? [rest] : [];
  }

  private take(): string | undefined {
    const sentence = SENTENCE_END.exec(this.buffer);
    if (sentence) return this.cut(sentence.index + sentence[0].length);
    if (this.emitted === 0) {
      const clause = CLAUSE_END.exec(this.buffer);
      if (clause && clause.index >= MIN_CLAUSE) return this.cut(clause.index + clause[0].length);
    }
    if (this.buffer.length > MAX_PIECE) {
      const space = this.buffer.lastIndexOf(' ', MAX_PIECE);
      return this.cut(space > 0 ? space + 1 : MAX_PIECE);
    }
    return undefined;
  }

  private cut(end: number): string | undefined {
    const piece = this.buffer.slice(0, end).trim();
    this.buffer = this.buffer.slice(end);
    if (!piece) return undefined;
    this.emitted++;
    return piece;
  }
}
