/**
 * Whether a customer's short reply is an explicit yes or no to a change the agent described.
 * Only an explicit, short answer counts: "yes, but change the city" is not a yes to the change
 * as stated, so anything longer or mixed is neither, and the agent asks again.
 */

const YES = [
  'yes',
  'y',
  'yeah',
  'yep',
  'yes please',
  'ok',
  'okay',
  'confirm',
  'confirmed',
  'i confirm',
  'go ahead',
  'do it',
  'sure',
  'sí',
  'si',
  'claro',
  'confirmo',
  'de acuerdo',
  'vale',
  'sí, confirmo',
  'adelante',
  'confírmalo',
  'hazlo',
  'oui',
  'je confirme',
  "d'accord",
  'ja',
  'bestätigen',
  'ich bestätige',
  'sim',
  'confirmo',
  'certo',
  'sì',
  'confermo',
  'va bene',
  'نعم',
  'أجل',
  'موافق',
  'أؤكد',
  'تمام',
  '是',
  '是的',
  '好',
  '好的',
  '确认',
  '可以',
  '对',
  'はい',
  '確認します',
  'お願いします',
  '네',
  '예',
  '확인',
  'да',
  'подтверждаю',
  'evet',
  'onaylıyorum',
];
const NO = [
  'no',
  'n',
  'nope',
  'cancel',
  "don't",
  'do not',
  'stop',
  'no thanks',
  'no, gracias',
  'no gracias',
  'mejor no',
  'non',
  'nein',
  'não',
  'nao',
  'لا',
  '不',
  '不要',
  '不是',
  '算了',
  'いいえ',
  '아니요',
  'нет',
  'hayır',
];

function normalize(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFC')
    .replace(/[.!?¡¿。！？،,؟\s]+/g, ' ')
    .trim();
}

const yes = new Set(YES.map(normalize));
const no = new Set(NO.map(normalize));

export type Answer = 'yes' | 'no' | 'unclear';

export function readAnswer(text: string): Answer {
  const t = normalize(text);
  if (!t || t.length > 40) return 'unclear';
  if (yes.has(t)) return 'yes';
  if (no.has(t)) return 'no';
  // "yes please confirm", "sí, confírmalo": every word a yes-word, none a no-word
  const words = t.split(' ');
  if (words.length > 1 && words.every((w) => yes.has(w) || w === 'please')) return 'yes';
  if (words.length > 1 && words.every((w) => no.has(w) || w === 'please' || w === 'thanks')) return 'no';
  return 'unclear';
}
