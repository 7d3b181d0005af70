// Voice benchmark: the voice agent with speech and model servers at reference latencies (speech
// recognition final 150 ms after the audio is uploaded, model first token 250 ms, speech synthesis
// first audio 100 ms), the node in its own process, customers as wrtc bots speaking espeak-ng
// audio. Figures come from the node's own per-turn metrics (one clock, where things happen).
import { startOpenAiServer, say } from '../test/support/openaiServer.ts';
import { startSpeechServer } from '../test/support/speechServer.ts';
import { Bot, until } from '../test/support/bot.ts';
import { spoken } from '../test/support/speech.ts';
import { mintToken } from '@liveport/server';
import { percentile } from './join.ts';
import { startNodeProcess, type NodeProcess } from './support/nodeProcess.ts';

const TURNS = 20;
const BARGE_INS = 20;
const CONCURRENT = 20;
const CONCURRENT_WINDOW_MS = 20_000;
const STT_MS = 150;
const LLM_FIRST_TOKEN_MS = 250;
const TTS_FIRST_AUDIO_MS = 100;
const LOUD = 250;
const QUESTION = 'Where is my order?';
const INTERRUPTION = 'Wait, stop please.';
const SHORT_REPLY = 'It is on its way.';
const LONG_REPLY =
  'Your order left our warehouse in Newark on Monday and flew to Leipzig overnight. ' +
  'It cleared customs in Madrid this morning and is now with the local courier. ' +
  'The courier usually delivers between nine and six, and will call you before arriving.';

interface AgentView {
  turns: {
    endpointingMs: number;
    firstPacketMs?: number;
    transcriptMs?: number;
    llmFirstTokenMs?: number;
    firstSentenceMs?: number;
    interrupted?: boolean;
  }[];
  bargeIns: { stopMs: number; resumed: boolean }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startAgent(node: NodeProcess, room: string): Promise<void> {
  const res = await fetch(`${node.url}/api/rooms/${room}/agent`, {
    method: 'POST',
    headers: { authorization: node.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ language: 'en' }),
  });
  if (res.status !== 201) throw new Error(`agent did not start: ${res.status} ${await res.text()}`);
}

async function agentView(node: NodeProcess, room: string): Promise<AgentView> {
  const res = await fetch(`${node.url}/api/rooms/${room}/agent`, { headers: { authorization: node.auth } });
  return ((await res.json()) as { agent: AgentView }).agent;
}

export async function run() {
  let interrupting = false;
  let bargePhase: 'ask' | 'interrupt' = 'ask';
  const llm = await startOpenAiServer({
    record: false,
    firstTokenMs: LLM_FIRST_TOKEN_MS,
    tokensPerSecond: 50,
    script: (body) => {
      const last = body.messages?.at(-1);
      const text = typeof last?.content === 'string' ? last.content : '';
      if (/stop/i.test(text)) return [say('OK.')];
      return [say(interrupting ? LONG_REPLY : SHORT_REPLY)];
    },
  });
  // The stand-in must cost only its configured latency: speech for a text is one second of
  // real espeak-ng speech repeated to the text's length, made once, not synthesized per request.
  const voice = spoken('The quick brown fox jumps over the lazy dog', 'en-us');
  const at24k = new Int16Array(Math.floor(voice.length / 2));
  for (let i = 0; i < at24k.length; i++) at24k[i] = voice[i * 2]!;
  const audioFor = (text: string) => {
    const out = new Int16Array(Math.max(2400, Math.round(text.length * 0.06 * 24_000)));
    for (let i = 0; i < out.length; i++) out[i] = at24k[i % at24k.length]!;
    return out;
  };
  const speech = await startSpeechServer({
    record: false,
    audio: (body) => audioFor(body.input ?? ''),
    transcriptionMs: STT_MS,
    firstAudioMs: TTS_FIRST_AUDIO_MS,
    transcript: () => (interrupting && bargePhase === 'interrupt' ? INTERRUPTION : QUESTION),
  });
  const node = await startNodeProcess([
    '--llm-base-url',
    llm.baseUrl,
    '--llm-model',
    'stand-in',
    '--stt-base-url',
    speech.baseUrl,
    '--tts-base-url',
    speech.baseUrl,
    '--rtc-port-min',
    '46000',
    '--rtc-port-max',
    '46999',
  ]);
  const keys = Buffer.from(node.auth.slice(6), 'base64').toString().split(':');
  const token = (identity: string, room: string) =>
    mintToken({
      apiKey: keys[0]!,
      apiSecret: keys.slice(1).join(':'),
      identity,
      grants: { room, join: true, subscribe: true, publish: ['microphone'] },
    });
  const question = spoken(QUESTION);
  const interruption = spoken(INTERRUPTION);
  const bots: Bot[] = [];
  const join = async (room: string, identity: string) => {
    await startAgent(node, room);
    const bot = await Bot.join(node.url, token(identity, room));
    bots.push(bot);
    const mic = await bot.publishMicrophone();
    await until(() => bot.audioLevels.length > 20, 10_000, 'the agent track arrives');
    return { bot, mic };
  };
  const loudSince = (bot: Bot, since: number) =>
    bot.audioLevels.filter((l) => l.at > since && l.rms > LOUD).length * 10;
  try {
    // ---- 1. voice turns -----------------------------------------------------------------------
    const turns = await join('bench-turns', 'turns');
    for (let i = 0; i < TURNS; i++) {
      const asked = performance.now();
      await turns.mic.play(question);
      await until(() => loudSince(turns.bot, asked) > 400, 15_000, `turn ${i} answered`);
      await sleep(1500);
    }
    const turnView = await agentView(node, 'bench-turns');

    // ---- 2. barge-ins -------------------------------------------------------------------------
    interrupting = true;
    const barge = await join('bench-barge', 'barge');
    for (let i = 0; i < BARGE_INS; i++) {
      bargePhase = 'ask';
      const asked = performance.now();
      await barge.mic.play(question);
      await until(() => loudSince(barge.bot, asked) > 700, 15_000, `barge-in ${i}: the agent talks`);
      bargePhase = 'interrupt';
      await barge.mic.play(interruption);
      await sleep(2000);
    }
    const bargeView = await agentView(node, 'bench-barge');
    interrupting = false;

    // ---- 3. concurrent sessions ----------------------------------------------------------------
    const sessions = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => join(`bench-many-${i}`, `many-${i}`)),
    );
    const cpuStart = node.cpuSeconds();
    const started = performance.now();
    await Promise.all(
      sessions.map(async (s, i) => {
        await sleep((i * 3000) / CONCURRENT);
        while (performance.now() - started < CONCURRENT_WINDOW_MS - 3500) {
          await s.mic.play(question);
          await sleep(2500);
        }
      }),
    );
    const windowSec = (performance.now() - started) / 1000;
    const cpu = node.cpuSeconds() - cpuStart;

    const answered = turnView.turns.filter((t) => t.firstPacketMs !== undefined);
    const v2v = answered.map((t) => t.firstPacketMs!).sort((a, b) => a - b);
    const overhead = answered
      .map((t) => t.firstPacketMs! - t.endpointingMs - STT_MS - LLM_FIRST_TOKEN_MS - TTS_FIRST_AUDIO_MS)
      .sort((a, b) => a - b);
    // the same, also without the model's time from its first token to the first speakable sentence
    const processing = answered
      .filter((t) => t.firstSentenceMs !== undefined && t.llmFirstTokenMs !== undefined)
      .map(
        (t) =>
          t.firstPacketMs! -
          t.endpointingMs -
          STT_MS -
          LLM_FIRST_TOKEN_MS -
          TTS_FIRST_AUDIO_MS -
          (t.firstSentenceMs! - t.llmFirstTokenMs!),
      )
      .sort((a, b) => a - b);
    const stops = bargeView.bargeIns
      .filter((b) => !b.resumed)
      .map((b) => b.stopMs)
      .sort((a, b) => a - b);
    const endpointing = answered.map((t) => t.endpointingMs).sort((a, b) => a - b);
    const figures = {
      turns: answered.length,
      voice_to_voice_p50_ms: Math.round(percentile(v2v, 50)),
      voice_to_voice_p95_ms: Math.round(percentile(v2v, 95)),
      endpointing_p50_ms: Math.round(percentile(endpointing, 50)),
      overhead_p50_ms: Math.round(percentile(overhead, 50)),
      overhead_p95_ms: Math.round(percentile(overhead, 95)),
      processing_overhead_p50_ms: Math.round(percentile(processing, 50)),
      processing_overhead_p95_ms: Math.round(percentile(processing, 95)),
      bargeins: stops.length,
      bargein_stop_p50_ms: Math.round(percentile(stops, 50)),
      bargein_stop_p95_ms: Math.round(percentile(stops, 95)),
      concurrent_sessions: CONCURRENT,
      cpu_per_session_pct: Number(((cpu / windowSec / CONCURRENT) * 100).toFixed(2)),
    };
    const table = [
      `voice: stand-ins at STT ${STT_MS} ms, model ${LLM_FIRST_TOKEN_MS} ms first token, TTS ${TTS_FIRST_AUDIO_MS} ms first audio; node in its own process; wrtc customers`,
      '| figure | value |',
      '| --- | ---: |',
      `| voice turns measured | ${figures.turns} / ${TURNS} |`,
      `| end of speech -> first agent audio packet (voice to voice), p50 / p95 | ${figures.voice_to_voice_p50_ms} / ${figures.voice_to_voice_p95_ms} ms |`,
      `| of which endpointing silence, p50 | ${figures.endpointing_p50_ms} ms |`,
      `| Liveport overhead (minus endpointing, STT, model, TTS), p50 | ${figures.overhead_p50_ms} ms |`,
      `| Liveport overhead, p95 (target <= 50) | ${figures.overhead_p95_ms} ms |`,
      `| the same without the model's first token -> first full sentence, p50 / p95 | ${figures.processing_overhead_p50_ms} / ${figures.processing_overhead_p95_ms} ms |`,
      `| barge-ins (of ${BARGE_INS}) | ${figures.bargeins} |`,
      `| barge-in: speech onset -> agent's last packet, p50 | ${figures.bargein_stop_p50_ms} ms |`,
      `| barge-in stop, p95 (200 ms minimum included; target <= 300) | ${figures.bargein_stop_p95_ms} ms |`,
      `| ${CONCURRENT} concurrent sessions talking: node CPU per session | ${figures.cpu_per_session_pct} % of a core |`,
    ].join('\n');
    return { figures, table };
  } finally {
    for (const b of bots) await b.leave().catch(() => undefined);
    await node.stop();
    await llm.close();
    await speech.close();
  }
}
