import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectLanguage } from '../../packages/agent/src/language.ts';

describe('detectLanguage', () => {
  const sentences: Array<[string, string]> = [
    ['en', 'Hi, I ordered a sofa last week and it still has not arrived. Where is it?'],
    ['es', '¿Cuáles son las medidas del sofá gris? Quiero saber si cabe en mi salón.'],
    ['fr', "Bonjour, je voudrais changer l'adresse de livraison de ma commande."],
    ['de', 'Ich möchte die Halskette zurückgeben, sie ist leider zu kurz.'],
    ['pt', 'Olá, o meu pedido chegou danificado. Posso trocar por outro?'],
    ['it', 'Buongiorno, vorrei sapere quando arriverà il mio ordine.'],
    ['tr', 'Merhaba, siparişim ne zaman kargoya verilecek?'],
    ['nl', 'Kan ik mijn bestelling nog annuleren voordat deze verzonden wordt?'],
    ['ar', 'مرحبا، أين طلبي؟ لقد طلبت أريكة قبل أسبوعين.'],
    ['zh', '你好，我想退货，这件衣服太大了。'],
    ['ja', 'こんにちは、注文した指輪のサイズを変更できますか？'],
    ['ko', '안녕하세요, 주문한 소파가 아직 도착하지 않았어요.'],
    ['ru', 'Здравствуйте, где мой заказ? Я жду уже две недели.'],
    ['uk', 'Доброго дня, я хочу повернути товар, бо він мені не підійшов.'],
  ];
  for (const [language, sentence] of sentences) {
    it(`recognises ${language}: "${sentence.slice(0, 32)}…"`, () => {
      assert.equal(detectLanguage(sentence), language);
    });
  }

  it('recognises a sentence even when the conversation was in another language', () => {
    assert.equal(detectLanguage('Ahora quiero devolver la lámpara, por favor.', 'en'), 'es');
    assert.equal(detectLanguage('Actually, can you answer in English please?', 'es'), 'en');
  });

  it('keeps the conversation language for text that carries none', () => {
    assert.equal(detectLanguage('ok', 'es'), 'es');
    assert.equal(detectLanguage('LP-1001', 'ar'), 'ar');
    assert.equal(detectLanguage('ana.garcia@example.com', 'es'), 'es');
    assert.equal(detectLanguage('LP-1001 ana.garcia@example.com', 'fr'), 'fr');
    assert.equal(detectLanguage('👍', 'de'), 'de');
    assert.equal(detectLanguage('   ', 'it'), 'it');
  });

  it('falls back to English when there is neither text nor a hint', () => {
    assert.equal(detectLanguage('ok'), 'en');
    assert.equal(detectLanguage('12345'), 'en');
    assert.equal(detectLanguage(''), 'en');
  });

  it('reads a lone greeting that opens a chat', () => {
    assert.equal(detectLanguage('Hola'), 'es');
    assert.equal(detectLanguage('merci'), 'fr');
    assert.equal(detectLanguage('Danke schön!'), 'de');
    assert.equal(detectLanguage('obrigado'), 'pt');
  });

  it('does not flip a conversation over a word its neighbour language shares', () => {
    assert.equal(detectLanguage('el sofá gris', 'ca'), 'ca');
    assert.equal(detectLanguage('sí, perfecto', 'es'), 'es');
  });

  it('decides by script for short text in a script of one language', () => {
    assert.equal(detectLanguage('谢谢'), 'zh');
    assert.equal(detectLanguage('ありがとう'), 'ja');
    assert.equal(detectLanguage('감사합니다'), 'ko');
    assert.equal(detectLanguage('شكرا'), 'ar');
    assert.equal(detectLanguage('спасибо'), 'ru');
  });

  it('lets the hint settle text that more than one language writes', () => {
    // kanji alone is Chinese unless the conversation is Japanese
    assert.equal(detectLanguage('大丈夫', 'ja'), 'ja');
    assert.equal(detectLanguage('大丈夫'), 'zh');
    assert.equal(detectLanguage('дякую', 'uk'), 'uk');
  });

  it('is not swayed by a brand name or an order number inside the sentence', () => {
    assert.equal(detectLanguage('我的订单 LP-1001 什么时候到？IKEA sofa'), 'zh');
    assert.equal(detectLanguage('أريد إرجاع الطلب LP-1001 من فضلك'), 'ar');
  });

  it('accepts a regional tag as the hint and answers with the primary tag', () => {
    assert.equal(detectLanguage('ok', 'es-MX'), 'es');
    assert.equal(detectLanguage('ok', 'pt_BR'), 'pt');
  });
});
