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
/** a turn whose words do not read as finished: the full silence is waited, the model starts in it */
const OPEN_QUESTION = 'I would like to know the status of my order';
const INTERRUPTION = 'Wait, stop please.';
const SHORT_REPLY = 'It is on its way.';
const LONG_REPLY =
  'Your order left our warehouse in Newark on Monday and flew to Leipzig overnight. ' +
  'It cleared customs in Madrid this morning and is now with the local courier. ' +
  'The courier usually delivers between nine and six, and will call you before arriving.';

interface TurnView {
  endpointingMs: number;
  firstPacketMs?: number;
  transcriptMs?: number;
  llmFirstTokenMs?: number;
  firstSentenceMs?: number;
  interrupted?: boolean;
  preemptive?: boolean;
}

interface AgentView {
  turns: TurnView[];
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

/** The per-turn figures of one node: voice to voice, and what of it is Liveport's. */
function turnFigures(turns: TurnView[]) {
  const answered = turns.filter((t) => t.firstPacketMs !== undefined);
  const p = (xs: number[], q: number) =>
    Math.round(
      percentile(
        [...xs].sort((a, b) => a - b),
        q,
      ),
    );
  const v2v = answered.map((t) => t.firstPacketMs!);
  // The formula: the total minus the three provider latencies and the endpointing
  // silence. Where recognition runs inside the silence (and the model too), the parts overlap
  // and this goes below zero: the customer waited less than the sum of the parts.
  const overhead = answered.map(
    (t) => t.firstPacketMs! - t.endpointingMs - STT_MS - LLM_FIRST_TOKEN_MS - TTS_FIRST_AUDIO_MS,
  );
  // The node's own time on the path, where the stages ran one after another: the total minus
  // the silence, recognition (unless it ran inside the silence), the model's first token and its
  // first sentence, and the speech engine. Turns whose model started in the pause are left out:
  // there the model's remaining time cannot be told from ours.
  const processing = answered
    .filter((t) => !t.preemptive && t.firstSentenceMs !== undefined && t.llmFirstTokenMs !== undefined)
    .map((t) => {
      const sttOnPath = (t.transcriptMs ?? 0) - t.endpointingMs > STT_MS / 2 ? STT_MS : 0;
      const sentence = t.firstSentenceMs! - t.llmFirstTokenMs!;
      return (
        t.firstPacketMs! - t.endpointingMs - sttOnPath - LLM_FIRST_TOKEN_MS - sentence - TTS_FIRST_AUDIO_MS
      );
    });
  const byKind = (even: boolean) =>
    answered.filter((_, i) => i % 2 === (even ? 0 : 1)).map((t) => t.firstPacketMs!);
  return {
    turns: answered.length,
    preemptive: answered.filter((t) => t.preemptive).length,
    voice_to_voice_p50_ms: p(v2v, 50),
    voice_to_voice_p95_ms: p(v2v, 95),
    voice_to_voice_complete_p50_ms: p(byKind(true), 50),
    voice_to_voice_open_p50_ms: p(byKind(false), 50),
    endpointing_p50_ms: p(
      answered.map((t) => t.endpointingMs),
      50,
    ),
    overhead_p50_ms: p(overhead, 50),
    overhead_p95_ms: p(overhead, 95),
    processing_overhead_p50_ms: p(processing, 50),
    processing_overhead_p95_ms: p(processing, 95),
  };
}

export async function run() {
  let interrupting = false;
  let asking = QUESTION;
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
  const interruptionSeconds = spoken(INTERRUPTION).length / 48_000;
  const speech = await startSpeechServer({
    record: false,
    audio: (body) => audioFor(body.input ?? ''),
    transcriptionMs: STT_MS,
    firstAudioMs: TTS_FIRST_AUDIO_MS,
    // An upload made in the comma's pause of the interruption holds only its first word, as a
    // real recognizer would hear it; the whole of it reads as a complete sentence.
    transcript: (upload) =>
      interrupting && bargePhase === 'interrupt'
        ? upload.pcm.length / upload.sampleRate < interruptionSeconds - 0.4
          ? 'Wait,'
          : INTERRUPTION
        : asking,
  });
  const providers = [
    '--llm-base-url',
    llm.baseUrl,
    '--llm-model',
    'stand-in',
    '--stt-base-url',
    speech.baseUrl,
    '--tts-base-url',
    speech.baseUrl,
  ];
  const node = await startNodeProcess([...providers, '--rtc-port-min', '46000', '--rtc-port-max', '46999']);
  // the same node with every stage after the other: recognition only once the silence is over,
  // the model only once recognition is done (what the overhead formula assumes)
  const sequential = await startNodeProcess([
    ...providers,
    '--voice-early-recognition-ms',
    '0',
    '--voice-preemptive-reply',
    'false',
    '--rtc-port-min',
    '45000',
    '--rtc-port-max',
    '45999',
  ]);
  const token = (identity: string, room: string, target = node) => {
    const [apiKey, ...secret] = Buffer.from(target.auth.slice(6), 'base64').toString().split(':');
    return mintToken({
      apiKey: apiKey!,
      apiSecret: secret.join(':'),
      identity,
      grants: { room, join: true, subscribe: true, publish: ['microphone'] },
    });
  };
  const question = spoken(QUESTION);
  const openQuestion = spoken(OPEN_QUESTION);
  const interruption = spoken(INTERRUPTION);
  const bots: Bot[] = [];
  const join = async (room: string, identity: string, target = node) => {
    await startAgent(target, room);
    const bot = await Bot.join(target.url, token(identity, room, target));
    bots.push(bot);
    const mic = await bot.publishMicrophone();
    await until(() => bot.audioLevels.length > 20, 10_000, 'the agent track arrives');
    return { bot, mic };
  };
  const loudSince = (bot: Bot, since: number) =>
    bot.audioLevels.filter((l) => l.at > since && l.rms > LOUD).length * 10;
  try {
    // ---- 1. voice turns: half complete questions, half that do not sound finished -------------
    const askAll = async (target: NodeProcess) => {
      const turns = await join('bench-turns', 'turns', target);
      for (let i = 0; i < TURNS; i++) {
        asking = i % 2 ? OPEN_QUESTION : QUESTION;
        const asked = performance.now();
        await turns.mic.play(i % 2 ? openQuestion : question);
        await until(() => loudSince(turns.bot, asked) > 400, 15_000, `turn ${i} answered`);
        await sleep(1500);
      }
      return turnFigures((await agentView(target, 'bench-turns')).turns);
    };
    const early = await askAll(node);
    const inOrder = await askAll(sequential);
    asking = QUESTION;

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

    const stops = bargeView.bargeIns
      .filter((b) => !b.resumed)
      .map((b) => b.stopMs)
      .sort((a, b) => a - b);
    const figures = {
      ...early,
      ...Object.fromEntries(Object.entries(inOrder).map(([k, v]) => [`sequential_${k}`, v])),
      bargeins: stops.length,
      bargein_stop_p50_ms: Math.round(percentile(stops, 50)),
      bargein_stop_p95_ms: Math.round(percentile(stops, 95)),
      concurrent_sessions: CONCURRENT,
      cpu_per_session_pct: Number(((cpu / windowSec / CONCURRENT) * 100).toFixed(2)),
    };
    const row = (label: string, key: keyof typeof early, unit = ' ms') =>
      `| ${label} | ${early[key]}${unit} | ${inOrder[key]}${unit} |`;
    const table = [
      `voice: stand-ins at STT ${STT_MS} ms, model ${LLM_FIRST_TOKEN_MS} ms first token then 50 tokens/s, TTS ${TTS_FIRST_AUDIO_MS} ms first audio; node in its own process; wrtc customers`,
      `${TURNS} turns per node, alternately "${QUESTION}" (reads as complete) and "${OPEN_QUESTION}" (does not)`,
      '| figure | default: recognized and answered in the pause | stages in sequence |',
      '| --- | ---: | ---: |',
      row('voice turns measured', 'turns', ''),
      `| of which the model started in the pause | ${early.preemptive} | ${inOrder.preemptive} |`,
      row('end of speech -> first agent audio packet (voice to voice), p50', 'voice_to_voice_p50_ms'),
      row('voice to voice, p95', 'voice_to_voice_p95_ms'),
      row('voice to voice p50, complete question', 'voice_to_voice_complete_p50_ms'),
      row('voice to voice p50, open question', 'voice_to_voice_open_p50_ms'),
      row('endpointing silence, p50', 'endpointing_p50_ms'),
      row(
        "overhead by the issue's formula (total - endpointing - STT - model - TTS), p50",
        'overhead_p50_ms',
      ),
      row("overhead by the issue's formula, p95 (target <= 50)", 'overhead_p95_ms'),
      row(
        "the node's own processing on the path (also minus the model's first sentence), p50",
        'processing_overhead_p50_ms',
      ),
      row("the node's own processing on the path, p95", 'processing_overhead_p95_ms'),
      '',
      '| figure | value |',
      '| --- | ---: |',
      `| barge-ins (of ${BARGE_INS}) | ${figures.bargeins} |`,
      `| barge-in: speech onset -> agent's last packet, p50 | ${figures.bargein_stop_p50_ms} ms |`,
      `| barge-in stop, p95 (200 ms minimum included; target <= 300) | ${figures.bargein_stop_p95_ms} ms |`,
      `| ${CONCURRENT} concurrent sessions talking: node CPU per session | ${figures.cpu_per_session_pct} % of a core |`,
    ].join('\n');
    return { figures, table };
  } finally {
    for (const b of bots) await b.leave().catch(() => undefined);
    await node.stop();
    await sequential.stop();
    await llm.close();
    await speech.close();
  }
}
