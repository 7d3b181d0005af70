import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestNode, type TestNode } from '../support/node.ts';
import { startOpenAiServer, say, type OpenAiServer } from '../support/openaiServer.ts';
import { Bot, until } from '../support/bot.ts';
import { cough, spoken } from '../support/speech.ts';
import { startSpeechServer } from '../support/speechServer.ts';

const SHORT_ANSWER = 'Your order L P one thousand and two is with D H L Express. It arrives today.';
const LONG_ANSWER = [
  'Let me tell you everything about the Oslo sofa.',
  'It is two hundred and fourteen centimetres wide and ninety two deep.',
  'The frame is solid oak and the cover is washed linen.',
  'It comes in oat, charcoal and sage, although sage is sold out right now.',
  'Delivery to Spain takes about one week and we carry it to your room.',
  'You can return it within thirty days if it does not suit your home.',
].join(' ');
const LOUD = 250;

interface AgentView {
  conversationId: string;
  turns: { transcript: string; firstPacketMs?: number; transcriptMs?: number; interrupted?: boolean }[];
  bargeIns: { stopMs: number; resumed: boolean }[];
  summary: { noises: number };
}

/** A customer (a wrtc bot with a real microphone track) talking to the voice agent in a room. */
describe('the voice agent in a room', () => {
  let llm: OpenAiServer;
  let node: TestNode;
  const auth = (target = node) => ({
    authorization: `Basic ${Buffer.from(`${target.apiKey}:${target.apiSecret}`).toString('base64')}`,
  });
  const agentView = async (room: string, target = node) =>
    (
      (await (await fetch(`${target.url}/api/rooms/${room}/agent`, { headers: auth(target) })).json()) as {
        agent: AgentView;
      }
    ).agent;

  async function call(room: string, target = node) {
    const started = await fetch(`${target.url}/api/rooms/${room}/agent`, {
      method: 'POST',
      headers: { ...auth(target), 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'en' }),
    });
    assert.equal(started.status, 201);
    const bot = await Bot.join(
      target.url,
      target.token('customer', { room, join: true, subscribe: true, publish: ['microphone'] }),
    );
    const mic = await bot.publishMicrophone();
    await until(() => bot.audioLevels.length > 50, 10_000, 'the agent track arrives');
    return { bot, mic };
  }

  /** the last loud moment before the agent's first pause of 300 ms after `since` (performance.now) */
  const fellSilent = (bot: Bot, since: number) => {
    let last = since;
    for (const l of bot.audioLevels) {
      if (l.at <= since) continue;
      if (l.rms > LOUD) {
        if (l.at - last >= 300) break;
        last = l.at;
      }
    }
    return last;
  };
  const loudFor = (bot: Bot, since: number) =>
    bot.audioLevels.filter((l) => l.at > since && l.rms > LOUD).length * 10;

  before(async () => {
    llm = await startOpenAiServer({ tokensPerSecond: 80 });
    node = await startTestNode({ llm: { baseUrl: llm.baseUrl, model: 'stand-in', detectOllama: false } });
  });
  after(async () => {
    await node?.stop();
    await llm?.close();
  });

  test('the SDK brings the agent into a room with the roomAdmin grant, and not without it', async () => {
    const guest = await Bot.join(
      node.url,
      node.token('guest', { room: 'voice-sdk', join: true, subscribe: true }),
    );
    await assert.rejects(guest.room.startAgent(), /roomAdmin/);
    const clerk = await Bot.join(
      node.url,
      node.token('clerk', { room: 'voice-sdk', join: true, subscribe: true, roomAdmin: true }),
    );
    const started = await clerk.room.startAgent({ language: 'es' });
    assert.match(started.identity, /^agent-/);
    await until(
      () => [...guest.room.participants.values()].some((p) => p.identity === started.identity),
      5000,
      'the agent joins',
    );
    const view = await agentView('voice-sdk');
    assert.equal(view.conversationId, started.conversationId);
    await clerk.room.stopAgent();
    await until(
      () => ![...guest.room.participants.values()].some((p) => p.identity === started.identity),
      5000,
      'the agent leaves',
    );
    await guest.leave();
    await clerk.leave();
  });

  test('hears a spoken question and answers with speech; the transcript holds both turns', async () => {
    llm.options.script = () => [say(SHORT_ANSWER)];
    const { bot, mic } = await call('voice-answer');
    const asked = performance.now();
    await mic.play(spoken('Where is my order?'));
    await until(() => loudFor(bot, asked) > 800, 20_000, 'the agent answers aloud');
    const view = await agentView('voice-answer');
    const turn = view.turns[0]!;
    assert.ok(turn.transcript.length > 0, 'the question was recognized');
    assert.ok(
      turn.firstPacketMs! > 0 && turn.firstPacketMs! < 5000,
      `voice to voice ${turn.firstPacketMs} ms`,
    );
    const conversation = (await (
      await fetch(`${node.url}/api/conversations/${view.conversationId}`, { headers: auth() })
    ).json()) as { messages: { role: string; text: string }[] };
    const roles = conversation.messages.map((m) => m.role);
    assert.ok(roles.includes('customer'), 'the customer turn is in the transcript');
    assert.equal(conversation.messages.at(-1)?.text, SHORT_ANSWER);
    // the same figures through the SDK and Prometheus
    const fromSdk = await bot.room.agentMetrics();
    assert.equal(fromSdk.summary.turns, 1);
    const metrics = await (await fetch(`${node.url}/metrics`, { headers: auth() })).text();
    assert.match(metrics, /liveport_voice_to_voice_ms\{room="voice-answer",quantile="0.5"\} \d/);
    await bot.leave();
  });

  test('an "uh-huh" pauses the agent only for a moment: it goes on from where it stopped', async () => {
    // recognition by the OpenAI-protocol stand-in, so the backchannel is heard exactly as "uh-huh"
    let asked = false;
    const stt = await startSpeechServer({ transcript: () => (asked ? 'uh-huh' : 'Tell me about the sofa') });
    const other = await startTestNode({
      llm: { baseUrl: llm.baseUrl, model: 'stand-in', detectOllama: false },
      speech: { sttBaseUrl: stt.baseUrl, sttModel: 'whisper-1', ttsModel: 'tts-1', ttsVoice: 'alloy' },
    } as never);
    try {
      llm.options.script = () => [say(LONG_ANSWER)];
      const { bot, mic } = await call('voice-backchannel', other);
      const start = performance.now();
      await mic.play(spoken('Tell me about the sofa.'));
      await until(() => loudFor(bot, start) > 1500, 20_000, 'the agent is talking');
      asked = true;
      const nodded = performance.now();
      await mic.play(spoken('uh huh'));
      await new Promise((r) => setTimeout(r, 2500));
      const view = await agentView('voice-backchannel', other);
      assert.equal(view.bargeIns.length, 1, 'the agent paused for the customer');
      assert.equal(view.bargeIns[0]!.resumed, true, 'and went on after hearing only "uh-huh"');
      assert.ok(loudFor(bot, nodded + 1200) > 600, 'the agent is talking again');
      assert.equal(view.turns.filter((t) => t.interrupted).length, 0, 'nothing was cut');
      await bot.leave();
    } finally {
      await other.stop();
      await stt.close();
    }
  });

  test('a cough does not stop the agent; speaking over it does, at once, and the history keeps what was heard', async () => {
    llm.options.script = () => [say(LONG_ANSWER)];
    const { bot, mic } = await call('voice-barge');
    const asked = performance.now();
    await mic.play(spoken('Tell me about the Oslo sofa.'));
    await until(() => loudFor(bot, asked) > 1500, 20_000, 'the agent is talking');

    const coughed = performance.now();
    await mic.play(cough(100));
    await new Promise((r) => setTimeout(r, 1200));
    assert.ok(loudFor(bot, coughed) > 700, 'the agent kept talking through the cough');
    assert.equal((await agentView('voice-barge')).bargeIns.filter((b) => !b.resumed).length, 0);

    const interrupted = performance.now();
    await mic.play(spoken('Stop. Can you tell me the price instead?'));
    await new Promise((r) => setTimeout(r, 2500));
    const stoppedAfter = fellSilent(bot, interrupted) - interrupted;
    const view = await agentView('voice-barge');
    assert.ok(
      stoppedAfter < 1000,
      `the agent fell silent ${Math.round(stoppedAfter)} ms after the customer began; ` +
        `barge-ins ${JSON.stringify(view.bargeIns)}, turns ${JSON.stringify(view.turns.map((t) => t.transcript))}`,
    );
    const stop = view.bargeIns.find((b) => !b.resumed);
    assert.ok(stop, 'an interruption was recorded');
    assert.ok(stop.stopMs < 600, `stopped ${stop.stopMs} ms after the onset`);
    const conversation = (await (
      await fetch(`${node.url}/api/conversations/${view.conversationId}`, { headers: auth() })
    ).json()) as { messages: { role: string; text: string; interrupted: boolean }[] };
    const cut = conversation.messages.find((m) => m.role === 'assistant' && m.interrupted);
    assert.ok(cut, 'the reply is marked interrupted');
    assert.ok(cut.text.length < LONG_ANSWER.length, 'only what was heard is kept');
    assert.ok(
      LONG_ANSWER.startsWith(cut.text.split(' ').slice(0, 3).join(' ')),
      'and it is the start of the reply',
    );
    await bot.leave();
  });
});
