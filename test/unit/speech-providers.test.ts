import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OpenAiSttProvider,
  PocketsphinxStt,
  SpeechError,
  type SttStream,
} from '../../packages/agent/src/providers/stt/index.ts';
import {
  EspeakTts,
  OpenAiTtsProvider,
  WavStreamReader,
} from '../../packages/agent/src/providers/tts/index.ts';
import { missingSpeechEngines, selectSpeech } from '../../packages/agent/src/providers/selectSpeech.ts';
import { startSpeechServer, tone, type SpeechServer } from '../support/speechServer.ts';

async function collect(stream: AsyncIterable<Int16Array>): Promise<Int16Array[]> {
  const chunks: Int16Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function joined(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

async function rejection(promise: Promise<unknown>): Promise<SpeechError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SpeechError, `expected a SpeechError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

/** espeak-ng's speech at the 16 kHz pocketsphinx wants, resampled by sox as a media path would. */
function spokenAt16k(text: string): Int16Array {
  const wav = spawnSync('espeak-ng', ['-v', 'en-us', '--stdout', text]).stdout;
  const raw = spawnSync(
    'sox',
    ['-t', 'wav', '-', '-t', 'raw', '-r', '16000', '-b', '16', '-e', 'signed-integer', '-c', '1', '-'],
    {
      input: wav,
    },
  ).stdout;
  const pcm = new Int16Array(raw.length >> 1);
  new Uint8Array(pcm.buffer).set(raw.subarray(0, pcm.length * 2));
  return pcm;
}

/** Writes audio in 20 ms frames, at twice real time, as a voice session would while the customer talks. */
async function speakInto(stream: SttStream, pcm: Int16Array): Promise<void> {
  for (let i = 0; i < pcm.length; i += 320) {
    stream.write(pcm.subarray(i, i + 320));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('pocketsphinx (embedded STT)', () => {
  const stt = new PocketsphinxStt();
  after(() => stt.close());

  it('transcribes espeak-ng speaking "where is my order" with the word order', async () => {
    stt.prewarm();
    const stream = stt.start({ language: 'en' });
    await speakInto(stream, spokenAt16k('where is my order'));
    const result = await stream.finish();
    assert.match(result.text, /order/, `recognized: ${result.text}`);
    assert.equal(result.language, 'en');
  });

  it('answers an utterance with no speech with empty text', async () => {
    const stream = stt.start({ language: 'en' });
    stream.write(new Int16Array(16_000));
    assert.equal((await stream.finish()).text, '');
  });

  it('cancel ends the recognizer and finish reports the abort', async () => {
    const controller = new AbortController();
    const stream = stt.start({ language: 'en', signal: controller.signal });
    stream.write(spokenAt16k('hello'));
    controller.abort();
    assert.equal((await rejection(stream.finish())).code, 'SPEECH_ABORTED');
  });

  it('close stops the spare recognizers with their whole process group', async () => {
    const own = new PocketsphinxStt({ spares: 1 });
    own.prewarm();
    const spare = (own as unknown as { spares: Array<{ pid: number }> }).spares[0]!;
    own.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // a killed process lingers as a zombie until its reaper gets to it: only the living count
    const group = spawnSync('ps', ['-o', 'pid=,stat=', '-g', String(spare.pid)]).stdout.toString();
    const alive = group.split('\n').filter((line) => line.trim() !== '' && !/\sZ/.test(line));
    assert.deepEqual(alive, [], `still running in the group: ${alive.join(', ')}`);
  });
});

describe('espeak-ng (embedded TTS)', () => {
  let tts: EspeakTts;
  before(async () => {
    tts = await EspeakTts.open({ wordsPerMinute: 190 });
  });

  it('maps BCP 47 tags to its voices', () => {
    assert.equal(tts.voiceFor('en'), 'en-us');
    assert.equal(tts.voiceFor('en-GB'), 'en-gb');
    assert.equal(tts.voiceFor('zh'), 'cmn');
    assert.equal(tts.voiceFor('zh-HK'), 'yue');
    assert.equal(tts.voiceFor('es-MX'), 'es-419');
    assert.equal(tts.voiceFor('pt-BR'), 'pt-br');
    assert.equal(tts.voiceFor('x-klingon'), undefined);
    for (const language of ['en', 'es', 'ar', 'zh', 'fr', 'de', 'pt', 'it', 'ja']) {
      assert.ok(tts.languages.includes(language), language);
    }
  });

  for (const [language, text] of [
    ['en', 'Your order shipped yesterday.'],
    ['es', 'Su pedido llegará el viernes.'],
    ['ar', 'طلبك في الطريق.'],
    ['zh', '您的订单明天到。'],
  ] as const) {
    it(`streams audible PCM at its header's rate for ${language}`, async () => {
      const stream = tts.synthesize(text, { language });
      const audio = joined(await collect(stream));
      assert.equal(stream.sampleRate, 22_050);
      assert.ok(audio.length / stream.sampleRate > 0.5, `only ${audio.length} samples`);
      assert.ok(rms(audio) > 500, `rms ${rms(audio)}`);
    });
  }

  it('gives the first audio quickly', async () => {
    const started = performance.now();
    const stream = tts.synthesize('Your order shipped yesterday and should arrive on Friday.', {
      language: 'en',
    });
    for await (const _chunk of stream) break;
    assert.ok(performance.now() - started < 500, `first audio after ${performance.now() - started} ms`);
  });

  it('stops at once on cancel: the iteration ends without the rest', async () => {
    const long = 'This sentence is repeated to make a very long answer. '.repeat(200);
    const stream = tts.synthesize(long, { language: 'en' });
    const iterator = stream[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    const cancelledAt = performance.now();
    stream.cancel();
    assert.equal((await iterator.next()).done, true);
    assert.ok(performance.now() - cancelledAt < 50);
  });

  it('reports a language it has no voice for as a bad request', async () => {
    const error = await rejection(collect(tts.synthesize('hello', { language: 'x-klingon' })));
    assert.equal(error.code, 'SPEECH_BAD_REQUEST');
  });
});

describe('WavStreamReader', () => {
  it("reads espeak-ng's streamed header, whose lengths are placeholders, split anywhere", () => {
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'latin1');
    header.writeUInt32LE(0x7ffff024, 4);
    header.write('WAVEfmt ', 8, 'latin1');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(22_050, 24);
    header.writeUInt32LE(44_100, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'latin1');
    header.writeUInt32LE(0x7ffff000, 40);
    const stream = Buffer.concat([header, Buffer.from([1, 0, 2, 0, 3, 0])]);
    const reader = new WavStreamReader();
    const pcm = [
      reader.push(stream.subarray(0, 30)),
      reader.push(stream.subarray(30, 47)),
      reader.push(stream.subarray(47)),
    ];
    assert.deepEqual(reader.format, { sampleRate: 22_050, channels: 1, bitsPerSample: 16 });
    assert.deepEqual([...Buffer.concat(pcm)], [1, 0, 2, 0, 3, 0]);
  });
});

describe('OpenAI-compatible STT against the stand-in', () => {
  let speech: SpeechServer;
  before(async () => {
    speech = await startSpeechServer({ transcript: 'where is my order' });
  });
  after(() => speech.close());

  const client = (
    overrides: Partial<ConstructorParameters<typeof OpenAiSttProvider>[0]> = {},
  ): OpenAiSttProvider =>
    new OpenAiSttProvider({
      baseUrl: speech.baseUrl,
      apiKey: 'sk-test',
      model: 'whisper-1',
      retryBaseDelayMs: 10,
      ...overrides,
    });

  it('uploads the utterance as a 16 kHz WAV with model, language and json format, at finish', async () => {
    speech.options.intercept = undefined;
    const before = speech.requests.length;
    const stream = client().start({ language: 'en-US' });
    const pcm = tone(300, 0.5, 16_000);
    stream.write(pcm.subarray(0, 4000));
    stream.write(pcm.subarray(4000));
    assert.equal(speech.requests.length, before, 'nothing is sent before the end of speech');
    const result = await stream.finish();
    assert.equal(result.text, 'where is my order');
    const request = speech.requests.at(-1)!;
    assert.equal(request.headers.authorization, 'Bearer sk-test');
    const upload = request.upload!;
    assert.deepEqual(upload.fields, { model: 'whisper-1', language: 'en', response_format: 'json' });
    assert.equal(upload.filename, 'utterance.wav');
    assert.equal(upload.sampleRate, 16_000);
    assert.deepEqual(upload.pcm, pcm);
  });

  it('maps 401 to SPEECH_AUTH_FAILED and 400 to SPEECH_BAD_REQUEST without retrying', async () => {
    for (const [status, code] of [
      [401, 'SPEECH_AUTH_FAILED'],
      [400, 'SPEECH_BAD_REQUEST'],
      [422, 'SPEECH_BAD_REQUEST'],
    ] as const) {
      let calls = 0;
      speech.options.intercept = () => (calls++, { status, body: { error: { message: 'nope' } } });
      const stream = client().start({ language: 'en' });
      stream.write(tone(300, 0.1, 16_000));
      const error = await rejection(stream.finish());
      assert.equal(error.code, code);
      assert.equal(error.status, status);
      assert.match(error.message, /nope/);
      assert.equal(calls, 1);
    }
  });

  it('retries 429 and 503 after the Retry-After the server names', async () => {
    speech.options.intercept = (_path, attempt) =>
      attempt === 1
        ? { status: 429, headers: { 'retry-after-ms': '60' } }
        : attempt === 2
          ? { status: 503 }
          : undefined;
    const started = performance.now();
    const stream = client().start({ language: 'en' });
    stream.write(tone(300, 0.1, 16_000));
    assert.equal((await stream.finish()).text, 'where is my order');
    assert.ok(performance.now() - started >= 60);
    speech.options.intercept = undefined;
  });

  it('gives up with SPEECH_RATE_LIMITED once the retries are spent', async () => {
    speech.options.intercept = () => ({ status: 429 });
    const stream = client({ maxRetries: 1 }).start({ language: 'en' });
    stream.write(tone(300, 0.1, 16_000));
    const error = await rejection(stream.finish());
    assert.equal(error.code, 'SPEECH_RATE_LIMITED');
    assert.match(error.message, /after 2 attempts/);
    speech.options.intercept = undefined;
  });

  it('reports an unreachable server as SPEECH_UNAVAILABLE', async () => {
    const stt = new OpenAiSttProvider({
      // nothing listens on port 1 here
      baseUrl: 'http://127.0.0.1:1/v1',
      model: 'm',
      maxRetries: 0,
    });
    const stream = stt.start({ language: 'en' });
    stream.write(tone(300, 0.1, 16_000));
    assert.equal((await rejection(stream.finish())).code, 'SPEECH_UNAVAILABLE');
  });

  it('aborts an upload in flight: the request is closed and finish reports the abort', async () => {
    speech.options.transcriptionMs = 2_000;
    const controller = new AbortController();
    const stream = client().start({ language: 'en', signal: controller.signal });
    stream.write(tone(300, 0.1, 16_000));
    const finished = stream.finish();
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    assert.equal((await rejection(finished)).code, 'SPEECH_ABORTED');
    assert.equal(await speech.requests.at(-1)!.ended, 'aborted');
    speech.options.transcriptionMs = 0;
  });

  it('answers the transcript at the configured latency after the upload', async () => {
    speech.options.transcriptionMs = 150;
    const stream = client().start({ language: 'en' });
    stream.write(tone(300, 0.2, 16_000));
    const started = performance.now();
    await stream.finish();
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 150 && elapsed < 400, `${elapsed} ms`);
    speech.options.transcriptionMs = 0;
  });
});

describe('OpenAI-compatible TTS against the stand-in', () => {
  let speech: SpeechServer;
  before(async () => {
    speech = await startSpeechServer({ firstAudioMs: 100, chunkMs: 40, chunkIntervalMs: 20 });
  });
  after(() => speech.close());

  const client = (): OpenAiTtsProvider =>
    new OpenAiTtsProvider({
      baseUrl: speech.baseUrl,
      model: 'gpt-4o-mini-tts',
      voice: 'alloy',
      retryBaseDelayMs: 10,
    });

  it('asks for pcm and streams 24 kHz audio that arrives before the response ends', async () => {
    const started = performance.now();
    const stream = client().synthesize('Your order shipped yesterday.', { language: 'en' });
    assert.equal(stream.sampleRate, 24_000);
    const chunks: Int16Array[] = [];
    let firstAt = 0;
    let endedBeforeFirst = false;
    const request = (): (typeof speech.requests)[number] | undefined => speech.speechRequests().at(-1);
    for await (const chunk of stream) {
      if (chunks.length === 0) {
        firstAt = performance.now() - started;
        endedBeforeFirst =
          (await Promise.race([request()!.ended.then(() => true), Promise.resolve(false)])) === true;
      }
      chunks.push(chunk);
    }
    assert.ok(firstAt >= 100 && firstAt < 400, `first audio after ${firstAt} ms`);
    assert.equal(endedBeforeFirst, false, 'the first chunk came while the server was still streaming');
    assert.ok(chunks.length > 3);
    assert.ok(rms(joined(chunks)) > 300);
    assert.deepEqual(request()!.body, {
      model: 'gpt-4o-mini-tts',
      input: 'Your order shipped yesterday.',
      voice: 'alloy',
      response_format: 'pcm',
    });
  });

  it('cancel closes the request and ends the iteration', async () => {
    speech.options.chunkIntervalMs = 200;
    const stream = client().synthesize('A long answer that the customer interrupts.', { language: 'en' });
    const iterator = stream[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    stream.cancel();
    assert.equal((await iterator.next()).done, true);
    assert.equal(await speech.speechRequests().at(-1)!.ended, 'aborted');
    speech.options.chunkIntervalMs = 20;
  });

  it('retries a 503 before any audio and maps a 401 to SPEECH_AUTH_FAILED', async () => {
    speech.options.intercept = (_path, attempt) => (attempt === 1 ? { status: 503 } : undefined);
    const audio = joined(await collect(client().synthesize('Hello.', { language: 'en' })));
    assert.ok(audio.length > 0);
    speech.options.intercept = () => ({ status: 401, body: { error: { message: 'Incorrect API key' } } });
    const error = await rejection(collect(client().synthesize('Hello.', { language: 'en' })));
    assert.equal(error.code, 'SPEECH_AUTH_FAILED');
    speech.options.intercept = undefined;
  });
});

describe('selectSpeech', () => {
  it('takes the configured servers first', async () => {
    const { stt, tts } = await selectSpeech({
      stt: { kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', model: 'whisper-1' },
      tts: { kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', model: 'tts-1', voice: 'nova' },
    });
    assert.equal(stt?.kind, 'openai-compatible');
    assert.equal(tts?.kind, 'openai-compatible');
  });

  it('falls back to the Debian engines when installed', async () => {
    const { stt, tts } = await selectSpeech({});
    assert.equal(stt?.kind, 'pocketsphinx');
    assert.equal(tts?.kind, 'espeak-ng');
    (stt as PocketsphinxStt).close();
    assert.deepEqual(missingSpeechEngines({}), []);
  });

  it('on a bare machine, has no voice and names the Debian packages to install', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'liveport-bare-'));
    const bare = { searchPath: [empty], pocketsphinxModel: empty };
    assert.deepEqual(await selectSpeech({}, bare), {});
    const missing = missingSpeechEngines({}, bare);
    assert.deepEqual(
      missing.map((m) => [m.side, m.debianPackages]),
      [
        ['stt', ['pocketsphinx', 'pocketsphinx-en-us']],
        ['tts', ['espeak-ng']],
      ],
    );
    assert.match(missing[0]!.message, /pocketsphinx pocketsphinx-en-us/);
  });
});
