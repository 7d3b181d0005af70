import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestNode, type TestNode } from '../support/node.ts';
import { startOpenAiServer, say, type OpenAiServer } from '../support/openaiServer.ts';
import { startSpeechServer, type SpeechServer } from '../support/speechServer.ts';
import { Bot, until } from '../support/bot.ts';
import { concatAudio, spoken } from '../support/speech.ts';

const LOUD = 250;
const RATE = 48_000;

interface TurnView {
  transcript: string;
  endpointingMs: number;
  firstPacketMs?: number;
  preemptive?: boolean;
}

const silence = (ms: number) => new Int16Array((RATE * ms) / 1000);

/**
 * Turn-taking as the customer hears it: the words are recognized in the customer's first
 * pause, so a complete question ends the turn on the short silence, and the model starts
 * answering in that pause; when the customer goes on, that early answer is dropped unheard.
 * Recognition by the OpenAI-protocol stand-in, so the transcript of each upload is known.
 */
describe('voice turns: recognition and answers begun in the pause', () => {
  let llm: OpenAiServer;
  let stt: SpeechServer;
  let node: TestNode;
  /** the transcript for an upload of this many seconds or more is the whole sentence */
  let whole = { seconds: Infinity, partial: '', full: '' };
  const END_SILENCE_MS = 600;

  before(async () => {
    llm = await startOpenAiServer({
      firstTokenMs: 200,
      tokensPerSecond: 80,
      script: (body) => [say(`You said: ${String(body.messages?.at(-1)?.content)}`)],
    });
    stt = await startSpeechServer({
      transcriptionMs: 50,
      transcript: (upload) =>
        upload.pcm.length / upload.sampleRate >= whole.seconds ? whole.full : whole.partial,
    });
    node = await startTestNode({
      llm: { baseUrl: llm.baseUrl, model: 'stand-in', detectOllama: false },
      speech: { sttBaseUrl: stt.baseUrl, sttModel: 'whisper-1', ttsModel: 'tts-1', ttsVoice: 'alloy' },
      voice: { endSilenceMs: END_SILENCE_MS },
    } as never);
  });
  after(async () => {
    await node?.stop();
    await stt?.close();
    await llm?.close();
  });

  const auth = () => ({
    authorization: `Basic ${Buffer.from(`${node.apiKey}:${node.apiSecret}`).toString('base64')}`,
  });
  async function call(room: string) {
    const started = await fetch(`${node.url}/api/rooms/${room}/agent`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'en' }),
    });
    assert.equal(started.status, 201);
    const bot = await Bot.join(
      node.url,
      node.token('customer', { room, join: true, subscribe: true, publish: ['microphone'] }),
    );
    const mic = await bot.publishMicrophone();
    await until(() => bot.audioLevels.length > 50, 10_000, 'the agent track arrives');
    return { bot, mic };
  }
  const view = async (room: string) =>
    (
      (await (await fetch(`${node.url}/api/rooms/${room}/agent`, { headers: auth() })).json()) as {
        agent: { conversationId: string; turns: TurnView[] };
      }
    ).agent;
  const messages = async (conversationId: string) =>
    (
      (await (
        await fetch(`${node.url}/api/conversations/${conversationId}`, { headers: auth() })
      ).json()) as {
        messages: { role: string; text: string }[];
      }
    ).messages;
  const loudSince = (bot: Bot, since: number) =>
    bot.audioLevels.filter((l) => l.at > since && l.rms > LOUD).length * 10;

  test('a complete question ends the turn on the short silence, not the full one', async () => {
    whole = { seconds: 0, partial: '', full: 'Where is my order?' };
    const { bot, mic } = await call('turns-complete');
    const asked = performance.now();
    await mic.play(spoken('Where is my order?'));
    await until(() => loudSince(bot, asked) > 600, 20_000, 'the agent answers');
    const turn = (await view('turns-complete')).turns[0]!;
    assert.equal(turn.transcript, 'Where is my order?');
    assert.ok(
      turn.endpointingMs < END_SILENCE_MS - 150,
      `the turn ended ${turn.endpointingMs} ms into the silence (full wait ${END_SILENCE_MS})`,
    );
    await bot.leave();
  });

  test('a pause mid-sentence: the early answer is dropped, the whole sentence is the turn', async () => {
    const first = spoken('I have a question');
    const rest = spoken('about the sofa I ordered');
    // an upload that reaches into the second half is the whole sentence
    whole = {
      seconds: (first.length + (RATE * 100) / 1000 + rest.length / 3) / RATE,
      partial: 'I have a question',
      full: 'I have a question about the sofa I ordered',
    };
    const from = llm.requests.length;
    const { bot, mic } = await call('turns-pause');
    const asked = performance.now();
    // espeak-ng ends its audio with 350 ms of silence: a pause of 450 ms, under the 600 needed
    await mic.play(concatAudio([first, silence(100), rest]));
    await until(() => loudSince(bot, asked) > 600, 20_000, 'the agent answers');
    await new Promise((r) => setTimeout(r, 500));
    const agent = await view('turns-pause');
    assert.equal(agent.turns.length, 1, 'one turn: the pause did not end it');
    assert.equal(agent.turns[0]!.transcript, whole.full);
    const early = llm.requests.slice(from).filter((r) => r.body?.messages?.at(-1)?.content === whole.partial);
    assert.equal(early.length, 1, 'the model was asked in the pause');
    assert.equal(await early[0]!.ended, 'aborted', 'and stopped when the customer went on');
    const said = await messages(agent.conversationId);
    assert.deepEqual(
      said.filter((m) => m.role === 'customer').map((m) => m.text),
      [whole.full],
    );
    assert.deepEqual(
      said
        .filter((m) => m.role === 'assistant')
        .map((m) => m.text)
        .slice(1), // after the AI disclosure
      [`You said: ${whole.full}`],
      'no word of the dropped answer reached the transcript',
    );
    await bot.leave();
  });

  test('an incomplete-sounding last sentence: the answer begun in the pause is the one spoken', async () => {
    whole = { seconds: 0, partial: '', full: 'I would like to change my delivery address' };
    const from = llm.requests.length;
    const { bot, mic } = await call('turns-preemptive');
    const asked = performance.now();
    await mic.play(spoken('I would like to change my delivery address'));
    await until(() => loudSince(bot, asked) > 600, 20_000, 'the agent answers');
    const turn = (await view('turns-preemptive')).turns[0]!;
    assert.equal(turn.transcript, whole.full);
    assert.ok(
      turn.endpointingMs >= END_SILENCE_MS - 50,
      'the full silence was waited: it did not read as complete',
    );
    assert.equal(turn.preemptive, true, 'the model started in the pause');
    const asks = llm.requests.slice(from).filter((r) => r.body?.messages?.at(-1)?.content === whole.full);
    assert.equal(asks.length, 1, 'and was not asked a second time');
    await bot.leave();
  });
});
