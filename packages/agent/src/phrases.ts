/**
 * The few sentences the node says itself, not through a model: the AI disclosure, the handoff
 * notice and the guided steps of fallback mode. They must be right in the customer's language
 * even when no model is there to translate them.
 */

export const PHRASE_LANGUAGES = ['en', 'es', 'fr', 'de', 'pt', 'ar', 'zh'] as const;
type Lang = (typeof PHRASE_LANGUAGES)[number];

interface Phrasebook {
  disclosure: string;
  limited: string;
  menu: string;
  track: string;
  returnItem: string;
  changeAddress: string;
  cancelOrder: string;
  person: string;
  orderNumber: string;
  email: string;
  submit: string;
  notVerified: string;
  verified: string;
  orderStatus: string;
  chooseItem: string;
  reason: string;
  condition: string;
  confirmReturn: string;
  confirmCancel: string;
  confirmAddress: string;
  yes: string;
  no: string;
  done: string;
  declined: string;
  handoff: (position: number, queue: string) => string;
  afterHandoff: string;
  notUnderstood: string;
  needOrder: string;
  found: string;
  rateLimited: string;
  unavailable: string;
  /** a person took the conversation over from the AI (or from a colleague) */
  agentJoined: (name: string) => string;
  /** a person closed the conversation */
  closing: string;
  /** the satisfaction survey's question, above its five rating buttons */
  surveyQuestion: string;
  surveyThanks: string;
  address: { line1: string; city: string; postalCode: string; country: string; name: string };
  conditions: { unused: string; damaged_on_arrival: string; wrong_item: string; used: string };
}

const en: Phrasebook = {
  agentJoined: (name) => `${name} joined the conversation.`,
  closing: 'Thanks for contacting us. This conversation is now closed; write again any time.',
  surveyQuestion: 'How would you rate the help you got? (1 = poor, 5 = excellent)',
  surveyThanks: 'Thank you for your rating!',
  disclosure:
    "Hi! I'm the store's AI assistant — an automated agent, not a person. I can help with products, orders, tracking and returns. Ask for a person at any time.",
  limited:
    "I'm in limited mode right now: I can't understand free text, but I can track an order, start a return or change an address step by step, or put you through to a person.",
  menu: 'What would you like to do?',
  track: 'Track an order',
  returnItem: 'Return or exchange',
  changeAddress: 'Change delivery address',
  cancelOrder: 'Cancel an order',
  person: 'Talk to a person',
  orderNumber: 'Order number',
  email: 'E-mail used for the order',
  submit: 'Continue',
  notVerified: "That order number and e-mail don't match an order. Please check both and try again.",
  verified: 'Thanks, I found your order.',
  orderStatus: 'Order status',
  chooseItem: 'Which item?',
  reason: 'Reason',
  condition: 'Condition of the item',
  confirmReturn: 'Please confirm the return:',
  confirmCancel: 'Please confirm you want to cancel this order:',
  confirmAddress: 'Please confirm the new delivery address:',
  yes: 'Yes, confirm',
  no: 'No',
  done: 'Done.',
  declined: "OK, I haven't changed anything.",
  handoff: (position, queue) =>
    `I've passed our conversation to a person from our ${queue} team, with a summary so you won't have to repeat yourself. You are number ${position} in the queue; they will reply here.`,
  afterHandoff: 'Thanks — your message is with our team; a person will reply here.',
  notUnderstood: "Sorry, I didn't understand. Please choose one of the options.",
  found: 'Here is what I found in the catalog:',
  needOrder: 'I can help with that. Please give me the order number and the e-mail used for the order:',
  rateLimited: 'You are sending messages very fast; please wait a moment.',
  unavailable: "I'm having trouble answering right now. I can put you through to a person.",
  address: {
    name: 'Full name',
    line1: 'Street and number',
    city: 'City',
    postalCode: 'Postal code',
    country: 'Country (2 letters)',
  },
  conditions: {
    unused: 'Unused, in its packaging',
    damaged_on_arrival: 'Damaged on arrival',
    wrong_item: 'Wrong item sent',
    used: 'Used',
  },
};

const es: Phrasebook = {
  agentJoined: (name) => `${name} se ha unido a la conversación.`,
  closing: 'Gracias por contactarnos. Esta conversación se ha cerrado; escríbenos cuando quieras.',
  surveyQuestion: '¿Cómo valorarías la ayuda recibida? (1 = mala, 5 = excelente)',
  surveyThanks: '¡Gracias por tu valoración!',
  disclosure:
    '¡Hola! Soy el asistente de IA de la tienda — un agente automático, no una persona. Puedo ayudarte con productos, pedidos, envíos y devoluciones. Puedes pedir hablar con una persona en cualquier momento.',
  limited:
    'Ahora estoy en modo limitado: no entiendo texto libre, pero puedo seguir un pedido, iniciar una devolución o cambiar una dirección paso a paso, o pasarte con una persona.',
  menu: '¿Qué quieres hacer?',
  track: 'Seguir un pedido',
  returnItem: 'Devolución o cambio',
  changeAddress: 'Cambiar la dirección de entrega',
  cancelOrder: 'Cancelar un pedido',
  person: 'Hablar con una persona',
  orderNumber: 'Número de pedido',
  email: 'E-mail del pedido',
  submit: 'Continuar',
  notVerified:
    'Ese número de pedido y ese e-mail no coinciden con ningún pedido. Revisa ambos e inténtalo de nuevo.',
  verified: 'Gracias, he encontrado tu pedido.',
  orderStatus: 'Estado del pedido',
  chooseItem: '¿Qué artículo?',
  reason: 'Motivo',
  condition: 'Estado del artículo',
  confirmReturn: 'Confirma la devolución, por favor:',
  confirmCancel: 'Confirma que quieres cancelar este pedido:',
  confirmAddress: 'Confirma la nueva dirección de entrega:',
  yes: 'Sí, confirmo',
  no: 'No',
  done: 'Hecho.',
  declined: 'De acuerdo, no he cambiado nada.',
  handoff: (position, queue) =>
    `He pasado nuestra conversación a una persona de nuestro equipo de ${queue}, con un resumen para que no tengas que repetir nada. Eres el número ${position} en la cola; te responderán aquí.`,
  afterHandoff: 'Gracias — tu mensaje está con nuestro equipo; una persona te responderá aquí.',
  notUnderstood: 'Perdona, no te he entendido. Elige una de las opciones.',
  found: 'Esto es lo que he encontrado en el catálogo:',
  needOrder: 'Te ayudo con eso. Dime el número de pedido y el e-mail con el que lo hiciste:',
  rateLimited: 'Estás enviando mensajes muy rápido; espera un momento.',
  unavailable: 'Ahora mismo tengo problemas para responder. Puedo pasarte con una persona.',
  address: {
    name: 'Nombre completo',
    line1: 'Calle y número',
    city: 'Ciudad',
    postalCode: 'Código postal',
    country: 'País (2 letras)',
  },
  conditions: {
    unused: 'Sin usar, en su embalaje',
    damaged_on_arrival: 'Llegó dañado',
    wrong_item: 'Me enviaron otro artículo',
    used: 'Usado',
  },
};

const fr: Phrasebook = {
  ...en,
  agentJoined: (name) => `${name} a rejoint la conversation.`,
  closing: 'Merci de nous avoir contactés. Cette conversation est terminée ; écrivez-nous quand vous voulez.',
  surveyQuestion: 'Comment évaluez-vous l’aide reçue ? (1 = mauvaise, 5 = excellente)',
  surveyThanks: 'Merci pour votre évaluation !',
  conditions: {
    unused: 'Non utilisé, dans son emballage',
    damaged_on_arrival: 'Arrivé endommagé',
    wrong_item: 'Mauvais article reçu',
    used: 'Utilisé',
  },
  disclosure:
    "Bonjour ! Je suis l'assistant IA de la boutique — un agent automatique, pas une personne. Je peux vous aider pour les produits, commandes, livraisons et retours. Vous pouvez demander une personne à tout moment.",
  limited:
    'Je suis en mode limité : je ne comprends pas le texte libre, mais je peux suivre une commande, lancer un retour ou changer une adresse étape par étape, ou vous passer une personne.',
  menu: 'Que souhaitez-vous faire ?',
  track: 'Suivre une commande',
  returnItem: 'Retour ou échange',
  changeAddress: "Changer l'adresse de livraison",
  cancelOrder: 'Annuler une commande',
  person: 'Parler à une personne',
  orderNumber: 'Numéro de commande',
  email: 'E-mail de la commande',
  submit: 'Continuer',
  yes: 'Oui, je confirme',
  no: 'Non',
  done: "C'est fait.",
  found: "Voici ce que j'ai trouvé dans le catalogue :",
  needOrder: 'Je peux vous aider. Indiquez le numéro de commande et l’e-mail utilisé pour la commande :',
  handoff: (position, queue) =>
    `J'ai transmis notre conversation à une personne de notre équipe ${queue}, avec un résumé. Vous êtes numéro ${position} dans la file ; on vous répondra ici.`,
};

const de: Phrasebook = {
  ...en,
  agentJoined: (name) => `${name} ist dem Gespräch beigetreten.`,
  closing: 'Danke für Ihre Nachricht. Dieses Gespräch ist jetzt beendet; schreiben Sie uns jederzeit wieder.',
  surveyQuestion: 'Wie bewerten Sie die erhaltene Hilfe? (1 = schlecht, 5 = ausgezeichnet)',
  surveyThanks: 'Vielen Dank für Ihre Bewertung!',
  conditions: {
    unused: 'Unbenutzt, in der Verpackung',
    damaged_on_arrival: 'Beschädigt angekommen',
    wrong_item: 'Falscher Artikel geliefert',
    used: 'Benutzt',
  },
  disclosure:
    'Hallo! Ich bin der KI-Assistent des Shops — ein automatischer Agent, kein Mensch. Ich helfe bei Produkten, Bestellungen, Sendungen und Rücksendungen. Sie können jederzeit nach einem Menschen fragen.',
  limited:
    'Ich bin gerade im eingeschränkten Modus: Freien Text verstehe ich nicht, aber ich kann Schritt für Schritt eine Bestellung verfolgen, eine Rücksendung starten, eine Adresse ändern oder Sie mit einem Menschen verbinden.',
  menu: 'Was möchten Sie tun?',
  track: 'Bestellung verfolgen',
  returnItem: 'Rücksendung oder Umtausch',
  changeAddress: 'Lieferadresse ändern',
  cancelOrder: 'Bestellung stornieren',
  person: 'Mit einem Menschen sprechen',
  orderNumber: 'Bestellnummer',
  email: 'E-Mail der Bestellung',
  submit: 'Weiter',
  yes: 'Ja, bestätigen',
  no: 'Nein',
  done: 'Erledigt.',
  found: 'Das habe ich im Katalog gefunden:',
  needOrder: 'Dabei helfe ich gern. Bitte nennen Sie die Bestellnummer und die E-Mail der Bestellung:',
  handoff: (position, queue) =>
    `Ich habe unser Gespräch mit einer Zusammenfassung an eine Person aus unserem ${queue}-Team übergeben. Sie sind Nummer ${position} in der Warteschlange; man antwortet Ihnen hier.`,
};

const pt: Phrasebook = {
  ...en,
  agentJoined: (name) => `${name} entrou na conversa.`,
  closing: 'Obrigado pelo contacto. Esta conversa foi encerrada; escreva-nos quando quiser.',
  surveyQuestion: 'Como avalia a ajuda que recebeu? (1 = má, 5 = excelente)',
  surveyThanks: 'Obrigado pela sua avaliação!',
  disclosure:
    'Olá! Sou o assistente de IA da loja — um agente automático, não uma pessoa. Posso ajudar com produtos, pedidos, entregas e devoluções. Pode pedir uma pessoa a qualquer momento.',
  menu: 'O que deseja fazer?',
  track: 'Acompanhar um pedido',
  returnItem: 'Devolução ou troca',
  person: 'Falar com uma pessoa',
  orderNumber: 'Número do pedido',
  yes: 'Sim, confirmo',
  no: 'Não',
  handoff: (position, queue) =>
    `Passei a nossa conversa a uma pessoa da equipa de ${queue}, com um resumo. É o número ${position} na fila; vão responder aqui.`,
};

const ar: Phrasebook = {
  ...en,
  agentJoined: (name) => `انضم ${name} إلى المحادثة.`,
  closing: 'شكرًا لتواصلك معنا. تم إغلاق هذه المحادثة؛ راسلنا في أي وقت.',
  surveyQuestion: 'كيف تقيّم المساعدة التي حصلت عليها؟ (1 = ضعيفة، 5 = ممتازة)',
  surveyThanks: 'شكرًا على تقييمك!',
  conditions: {
    unused: 'غير مستخدم وفي عبوته',
    damaged_on_arrival: 'وصل تالفًا',
    wrong_item: 'وصلني منتج خاطئ',
    used: 'مستخدم',
  },
  disclosure:
    'مرحبًا! أنا المساعد الذكي للمتجر — وكيل آلي ولست إنسانًا. يمكنني مساعدتك في المنتجات والطلبات والشحن والإرجاع. يمكنك طلب التحدث إلى موظف في أي وقت.',
  limited:
    'أعمل الآن في الوضع المحدود: لا أفهم النص الحر، لكن يمكنني تتبع طلب أو بدء إرجاع أو تغيير عنوان خطوة بخطوة، أو تحويلك إلى موظف.',
  menu: 'ماذا تريد أن تفعل؟',
  track: 'تتبع طلب',
  returnItem: 'إرجاع أو استبدال',
  changeAddress: 'تغيير عنوان التوصيل',
  cancelOrder: 'إلغاء طلب',
  person: 'التحدث إلى موظف',
  orderNumber: 'رقم الطلب',
  email: 'البريد الإلكتروني للطلب',
  submit: 'متابعة',
  verified: 'شكرًا، وجدت طلبك.',
  orderStatus: 'حالة الطلب',
  yes: 'نعم، أؤكد',
  no: 'لا',
  done: 'تم.',
  found: 'هذا ما وجدته في الكتالوج:',
  needOrder: 'يسعدني مساعدتك. من فضلك أعطني رقم الطلب والبريد الإلكتروني المستخدم فيه:',
  declined: 'حسنًا، لم أغير شيئًا.',
  handoff: (position, queue) =>
    `حوّلت محادثتنا إلى موظف من فريق ${queue} مع ملخص حتى لا تضطر إلى التكرار. ترتيبك ${position} في قائمة الانتظار، وسيتم الرد عليك هنا.`,
  afterHandoff: 'شكرًا — رسالتك لدى فريقنا وسيرد عليك موظف هنا.',
};

const zh: Phrasebook = {
  ...en,
  agentJoined: (name) => `${name} 已加入对话。`,
  closing: '感谢您的咨询。本次对话已结束，欢迎随时再联系我们。',
  surveyQuestion: '您对本次服务满意吗？（1 = 很差，5 = 非常好）',
  surveyThanks: '感谢您的评价！',
  conditions: {
    unused: '未使用，包装完好',
    damaged_on_arrival: '到货时已损坏',
    wrong_item: '发错了商品',
    used: '已使用',
  },
  disclosure:
    '您好！我是本店的 AI 助手——自动客服，不是真人。我可以帮您了解商品、查询订单、物流和退货。您随时可以要求转人工。',
  limited:
    '我现在处于受限模式：无法理解自由文本，但可以一步步帮您查询订单、发起退货、修改地址，或为您转接人工。',
  menu: '您想做什么？',
  track: '查询订单物流',
  returnItem: '退货或换货',
  changeAddress: '修改收货地址',
  cancelOrder: '取消订单',
  person: '转人工客服',
  orderNumber: '订单号',
  email: '下单邮箱',
  submit: '继续',
  verified: '谢谢，已找到您的订单。',
  orderStatus: '订单状态',
  yes: '是的，确认',
  no: '不',
  done: '已完成。',
  found: '这是我在商品目录中找到的：',
  needOrder: '我来帮您处理。请提供订单号和下单时使用的邮箱：',
  declined: '好的，我没有做任何更改。',
  handoff: (position, queue) =>
    `我已将对话连同摘要转给${queue}团队的同事，您无需重复说明。您在队列中排第 ${position} 位，同事会在这里回复您。`,
  afterHandoff: '谢谢——您的消息已转给我们的团队，同事会在这里回复您。',
};

const books: Record<Lang, Phrasebook> = { en, es, fr, de, pt, ar, zh };

/** The phrasebook for a language, English when the node has none for it (the model translates then). */
export function phrases(language: string): Phrasebook {
  const primary = language.toLowerCase().split('-')[0] as Lang;
  return books[primary] ?? en;
}
