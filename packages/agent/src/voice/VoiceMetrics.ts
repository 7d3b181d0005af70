/**
 * What each voice turn cost, measured where it happens. All times are milliseconds from the
 * end of the customer's speech (the moment the endpointer places it, not when it decided).
 */
export interface VoiceTurnMetrics {
  turn: number;
  /** when the customer stopped speaking (epoch ms) */
  speechEndedAt: number;
  /** the silence the endpointer waited before deciding the turn was over */
  endpointingMs: number;
  /** -> final transcript */
  transcriptMs?: number;
  /** -> the model's first token */
  llmFirstTokenMs?: number;
  /** -> the first piece of the reply complete enough to speak (a sentence or a long clause) */
  firstSentenceMs?: number;
  /** -> the first audio from the speech engine */
  ttsFirstAudioMs?: number;
  /** -> the first audio packet sent to the customer: the voice-to-voice time */
  firstPacketMs?: number;
  transcript: string;
  interrupted?: boolean;
  /** the model began answering in the customer's pause, before the turn was known to be over */
  preemptive?: boolean;
}

export interface BargeInMetrics {
  /** when the customer's speech began (epoch ms) */
  onsetAt: number;
  /** onset -> the agent's last audio packet */
  stopMs: number;
  /** the customer only coughed or said "uh-huh": the agent went on */
  resumed: boolean;
}

const KEEP = 200;

export class VoiceMetrics {
  readonly turns: VoiceTurnMetrics[] = [];
  readonly bargeIns: BargeInMetrics[] = [];
  noises = 0;

  startTurn(speechEndedAt: number, endpointingMs: number): VoiceTurnMetrics {
    const turn: VoiceTurnMetrics = {
      turn: this.turns.length + 1,
      speechEndedAt,
      endpointingMs,
      transcript: '',
    };
    this.turns.push(turn);
    if (this.turns.length > KEEP) this.turns.shift();
    return turn;
  }

  /** Record a stage of a turn once, as the time since the end of speech. */
  mark(
    turn: VoiceTurnMetrics | undefined,
    stage: 'transcriptMs' | 'llmFirstTokenMs' | 'firstSentenceMs' | 'ttsFirstAudioMs' | 'firstPacketMs',
    at = Date.now(),
  ): void {
    if (!turn || turn[stage] !== undefined) return;
    turn[stage] = Math.max(0, at - turn.speechEndedAt);
  }

  bargeIn(entry: BargeInMetrics): void {
    this.bargeIns.push(entry);
    if (this.bargeIns.length > KEEP) this.bargeIns.shift();
  }

  summary() {
    const v2v = this.turns.flatMap((t) => (t.firstPacketMs !== undefined ? [t.firstPacketMs] : []));
    const stops = this.bargeIns.filter((b) => !b.resumed).map((b) => b.stopMs);
    return {
      turns: this.turns.length,
      voiceToVoiceP50Ms: percentile(v2v, 50),
      voiceToVoiceP95Ms: percentile(v2v, 95),
      interruptions: stops.length,
      falseInterruptions: this.bargeIns.filter((b) => b.resumed).length,
      bargeInStopP95Ms: percentile(stops, 95),
      noises: this.noises,
    };
  }
}

export function percentile(values: number[], p: number): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
