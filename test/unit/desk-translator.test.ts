import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAiCompatibleProvider } from '@liveport/agent';
import { LlmTranslator } from '@liveport/desk';
import { translationModel } from '../../packages/server/src/desk/translationModel.ts';
import { httpError, say, startOpenAiServer, type OpenAiServer } from '../support/openaiServer.ts';

const DICTIONARY: Record<string, string> = {
  'Your order ships tomorrow.': 'Tu pedido sale mañana.',
  '¿Dónde está mi pedido?': 'Where is my order?',
};

describe('LlmTranslator over the configured OpenAI-compatible model', () => {
  let llm: OpenAiServer;
  let translator: LlmTranslator;

  before(async () => {
    llm = await startOpenAiServer({
      script: (body) => {
        const user = body.messages?.at(-1)?.content as string;
        return [say(DICTIONARY[user] ?? `?${user}`)];
      },
    });
    const provider = new OpenAiCompatibleProvider({ baseUrl: llm.baseUrl, model: 'translator' });
    translator = new LlmTranslator(translationModel(provider));
  });
  after(() => llm.close());

  test('asks the model for only a faithful translation into the named language', async () => {
    const text = await translator.translate('Your order ships tomorrow.', 'es-ES', 'en');
    assert.equal(text, 'Tu pedido sale mañana.');
    const messages = llm.chatRequests().at(-1)!.body!.messages!;
    assert.equal(messages.length, 2);
    const system = messages[0]!.content as string;
    assert.match(system, /into Spanish \(es\)/);
    assert.match(system, /from English \(en\)/);
    assert.match(system, /Output only the translation/);
    assert.equal(messages[1]!.content, 'Your order ships tomorrow.');
    assert.equal(llm.chatRequests().at(-1)!.body!.tools, undefined, 'no tools offered to a translator');
  });

  test('without a source language the model works it out', async () => {
    assert.equal(await translator.translate('¿Dónde está mi pedido?', 'en'), 'Where is my order?');
    const system = llm.chatRequests().at(-1)!.body!.messages![0]!.content as string;
    assert.match(system, /from the language it is written in into English/);
  });

  test('the same language on both sides costs no request', async () => {
    const before = llm.chatRequests().length;
    assert.equal(await translator.translate('Hola', 'es', 'es-MX'), 'Hola');
    assert.equal(llm.chatRequests().length, before);
  });

  test('quotes around the whole answer are dropped', async () => {
    llm.options.script = () => [say('"Gracias por esperar."')];
    assert.equal(await translator.translate('Thanks for waiting.', 'es', 'en'), 'Gracias por esperar.');
  });

  test('a failing model rejects rather than passing the text through untranslated', async () => {
    llm.options.script = () => [httpError(400)];
    await assert.rejects(translator.translate('Thanks for waiting.', 'es', 'en'));
    llm.options.script = () => [say('   ')];
    await assert.rejects(translator.translate('Thanks for waiting.', 'es', 'en'), /empty translation/);
  });
});
