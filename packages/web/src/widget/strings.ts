/**
 * The widget's own words (the node writes everything inside the conversation). Chosen by the
 * conversation's language once the node has detected it, else by the browser's.
 */
export interface WidgetStrings {
  openChat: string;
  closeChat: string;
  title: string;
  placeholder: string;
  send: string;
  talkToPerson: string;
  limitedMode: string;
  limitedHint: string;
  connecting: string;
  reconnecting: string;
  sending: string;
  notSent: string;
  retry: string;
  typing: string;
  viewProduct: string;
  trackShipment: string;
  submit: string;
  queuePosition: (n: number) => string;
  agentJoined: string;
  handoffClosed: string;
  you: string;
  assistant: string;
  agent: string;
  talk: string;
  hangUp: string;
  voiceConnecting: string;
  /** what the agent is doing, beside the call's light */
  voiceLight: Record<'listening' | 'hearing' | 'thinking' | 'speaking', string>;
  voiceUnavailable: string;
  microphoneDenied: string;
  microphoneMissing: string;
  voiceFailed: string;
  voiceEnded: string;
}

const en: WidgetStrings = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  title: 'Customer service',
  placeholder: 'Type your message…',
  send: 'Send',
  talkToPerson: 'Talk to a person',
  limitedMode: 'Limited mode',
  limitedHint: 'No AI model is connected: I can track orders, start returns and find a person for you.',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost, reconnecting…',
  sending: 'Sending…',
  notSent: 'Not sent',
  retry: 'Retry',
  typing: 'Typing…',
  viewProduct: 'View product',
  trackShipment: 'Track shipment',
  submit: 'Submit',
  queuePosition: (n) =>
    n <= 1 ? 'You are next in line for a person.' : `You are number ${n} in line for a person.`,
  agentJoined: 'A person from our team has joined.',
  handoffClosed: 'The conversation with our team has ended.',
  you: 'You',
  assistant: 'Assistant',
  agent: 'Team member',
  talk: 'Talk',
  hangUp: 'Hang up',
  voiceConnecting: 'Connecting the call…',
  voiceLight: { listening: 'Listening', hearing: 'Hearing you', thinking: 'Thinking', speaking: 'Speaking' },
  voiceUnavailable: 'Talking is not available right now; you can keep typing.',
  microphoneDenied:
    'The microphone is blocked. Allow it for this site in the browser to talk, or keep typing.',
  microphoneMissing: 'No microphone could be used. You can keep typing.',
  voiceFailed: 'The call could not connect. You can keep typing.',
  voiceEnded: 'The call has ended.',
};

const es: WidgetStrings = {
  openChat: 'Abrir chat',
  closeChat: 'Cerrar chat',
  title: 'Atención al cliente',
  placeholder: 'Escribe tu mensaje…',
  send: 'Enviar',
  talkToPerson: 'Hablar con una persona',
  limitedMode: 'Modo limitado',
  limitedHint:
    'No hay un modelo de IA conectado: puedo seguir pedidos, iniciar devoluciones y buscarte una persona.',
  connecting: 'Conectando…',
  reconnecting: 'Conexión perdida, reconectando…',
  sending: 'Enviando…',
  notSent: 'No enviado',
  retry: 'Reintentar',
  typing: 'Escribiendo…',
  viewProduct: 'Ver producto',
  trackShipment: 'Seguir envío',
  submit: 'Enviar',
  queuePosition: (n) =>
    n <= 1 ? 'Eres el siguiente para hablar con una persona.' : `Eres el número ${n} en la cola.`,
  agentJoined: 'Una persona de nuestro equipo se ha unido.',
  handoffClosed: 'La conversación con nuestro equipo ha terminado.',
  you: 'Tú',
  assistant: 'Asistente',
  agent: 'Equipo',
  talk: 'Hablar',
  hangUp: 'Colgar',
  voiceConnecting: 'Conectando la llamada…',
  voiceLight: { listening: 'Escuchando', hearing: 'Te oigo', thinking: 'Pensando', speaking: 'Hablando' },
  voiceUnavailable: 'Hablar no está disponible ahora; puedes seguir escribiendo.',
  microphoneDenied:
    'El micrófono está bloqueado. Permítelo para este sitio en el navegador para hablar, o sigue escribiendo.',
  microphoneMissing: 'No se pudo usar ningún micrófono. Puedes seguir escribiendo.',
  voiceFailed: 'No se pudo conectar la llamada. Puedes seguir escribiendo.',
  voiceEnded: 'La llamada ha terminado.',
};

const fr: WidgetStrings = {
  openChat: 'Ouvrir le chat',
  closeChat: 'Fermer le chat',
  title: 'Service client',
  placeholder: 'Écrivez votre message…',
  send: 'Envoyer',
  talkToPerson: 'Parler à une personne',
  limitedMode: 'Mode limité',
  limitedHint:
    'Aucun modèle d’IA n’est connecté : je peux suivre une commande, lancer un retour et vous passer une personne.',
  connecting: 'Connexion…',
  reconnecting: 'Connexion perdue, reconnexion…',
  sending: 'Envoi…',
  notSent: 'Non envoyé',
  retry: 'Réessayer',
  typing: 'En train d’écrire…',
  viewProduct: 'Voir le produit',
  trackShipment: 'Suivre le colis',
  submit: 'Valider',
  queuePosition: (n) => (n <= 1 ? 'Vous êtes le prochain.' : `Vous êtes numéro ${n} dans la file.`),
  agentJoined: 'Une personne de notre équipe vous a rejoint.',
  handoffClosed: 'La conversation avec notre équipe est terminée.',
  you: 'Vous',
  assistant: 'Assistant',
  agent: 'Équipe',
  talk: 'Parler',
  hangUp: 'Raccrocher',
  voiceConnecting: 'Connexion de l’appel…',
  voiceLight: {
    listening: 'À l’écoute',
    hearing: 'Je vous entends',
    thinking: 'Réflexion',
    speaking: 'Parle',
  },
  voiceUnavailable: 'Parler n’est pas possible pour le moment ; vous pouvez continuer à écrire.',
  microphoneDenied:
    'Le micro est bloqué. Autorisez-le pour ce site dans le navigateur pour parler, ou continuez à écrire.',
  microphoneMissing: 'Aucun micro n’a pu être utilisé. Vous pouvez continuer à écrire.',
  voiceFailed: 'L’appel n’a pas pu se connecter. Vous pouvez continuer à écrire.',
  voiceEnded: 'L’appel est terminé.',
};

const de: WidgetStrings = {
  openChat: 'Chat öffnen',
  closeChat: 'Chat schließen',
  title: 'Kundenservice',
  placeholder: 'Ihre Nachricht…',
  send: 'Senden',
  talkToPerson: 'Mit einem Menschen sprechen',
  limitedMode: 'Eingeschränkter Modus',
  limitedHint:
    'Kein KI-Modell verbunden: Ich kann Bestellungen verfolgen, Rücksendungen starten und Sie an einen Menschen weitergeben.',
  connecting: 'Verbinde…',
  reconnecting: 'Verbindung verloren, verbinde neu…',
  sending: 'Sende…',
  notSent: 'Nicht gesendet',
  retry: 'Erneut',
  typing: 'Schreibt…',
  viewProduct: 'Zum Produkt',
  trackShipment: 'Sendung verfolgen',
  submit: 'Absenden',
  queuePosition: (n) =>
    n <= 1 ? 'Sie sind als Nächstes dran.' : `Sie sind Nummer ${n} in der Warteschlange.`,
  agentJoined: 'Jemand aus unserem Team ist da.',
  handoffClosed: 'Das Gespräch mit unserem Team ist beendet.',
  you: 'Sie',
  assistant: 'Assistent',
  agent: 'Team',
  talk: 'Sprechen',
  hangUp: 'Auflegen',
  voiceConnecting: 'Anruf wird verbunden…',
  voiceLight: { listening: 'Hört zu', hearing: 'Hört Sie', thinking: 'Denkt nach', speaking: 'Spricht' },
  voiceUnavailable: 'Sprechen ist gerade nicht möglich; Sie können weiter schreiben.',
  microphoneDenied:
    'Das Mikrofon ist blockiert. Erlauben Sie es für diese Seite im Browser, oder schreiben Sie weiter.',
  microphoneMissing: 'Es konnte kein Mikrofon verwendet werden. Sie können weiter schreiben.',
  voiceFailed: 'Der Anruf konnte nicht verbunden werden. Sie können weiter schreiben.',
  voiceEnded: 'Der Anruf ist beendet.',
};

const ar: WidgetStrings = {
  openChat: 'فتح المحادثة',
  closeChat: 'إغلاق المحادثة',
  title: 'خدمة العملاء',
  placeholder: 'اكتب رسالتك…',
  send: 'إرسال',
  talkToPerson: 'التحدث إلى شخص',
  limitedMode: 'وضع محدود',
  limitedHint: 'لا يوجد نموذج ذكاء اصطناعي متصل: يمكنني تتبع الطلبات وبدء الإرجاع وتحويلك إلى موظف.',
  connecting: 'جارٍ الاتصال…',
  reconnecting: 'انقطع الاتصال، جارٍ إعادة الاتصال…',
  sending: 'جارٍ الإرسال…',
  notSent: 'لم تُرسل',
  retry: 'إعادة المحاولة',
  typing: 'يكتب…',
  viewProduct: 'عرض المنتج',
  trackShipment: 'تتبع الشحنة',
  submit: 'إرسال',
  queuePosition: (n) => (n <= 1 ? 'أنت التالي في الدور.' : `ترتيبك في الدور: ${n}`),
  agentJoined: 'انضم إليك أحد أعضاء فريقنا.',
  handoffClosed: 'انتهت المحادثة مع فريقنا.',
  you: 'أنت',
  assistant: 'المساعد',
  agent: 'الفريق',
  talk: 'تحدث',
  hangUp: 'إنهاء المكالمة',
  voiceConnecting: 'جارٍ الاتصال بالمكالمة…',
  voiceLight: { listening: 'يستمع', hearing: 'أسمعك', thinking: 'يفكر', speaking: 'يتحدث' },
  voiceUnavailable: 'التحدث غير متاح الآن؛ يمكنك متابعة الكتابة.',
  microphoneDenied: 'الميكروفون محظور. اسمح به لهذا الموقع في المتصفح للتحدث، أو تابع الكتابة.',
  microphoneMissing: 'تعذر استخدام أي ميكروفون. يمكنك متابعة الكتابة.',
  voiceFailed: 'تعذر الاتصال بالمكالمة. يمكنك متابعة الكتابة.',
  voiceEnded: 'انتهت المكالمة.',
};

const he: WidgetStrings = {
  ...en,
  openChat: 'פתיחת צ׳אט',
  closeChat: 'סגירת צ׳אט',
  title: 'שירות לקוחות',
  placeholder: 'כתבו הודעה…',
  send: 'שליחה',
  talkToPerson: 'לדבר עם נציג',
  limitedMode: 'מצב מוגבל',
  reconnecting: 'החיבור אבד, מתחבר מחדש…',
  typing: 'מקליד…',
  viewProduct: 'לצפייה במוצר',
  submit: 'שליחה',
  you: 'את/ה',
  assistant: 'עוזר',
  agent: 'נציג',
  talk: 'דיבור',
  hangUp: 'ניתוק',
};

const fa: WidgetStrings = {
  ...en,
  openChat: 'باز کردن گفتگو',
  closeChat: 'بستن گفتگو',
  title: 'خدمات مشتریان',
  placeholder: 'پیام خود را بنویسید…',
  send: 'ارسال',
  talkToPerson: 'گفتگو با یک شخص',
  limitedMode: 'حالت محدود',
  reconnecting: 'اتصال قطع شد، در حال اتصال دوباره…',
  typing: 'در حال نوشتن…',
  viewProduct: 'مشاهده محصول',
  submit: 'ارسال',
  you: 'شما',
  assistant: 'دستیار',
  agent: 'پشتیبان',
  talk: 'صحبت',
  hangUp: 'قطع تماس',
};

const zh: WidgetStrings = {
  openChat: '打开聊天',
  closeChat: '关闭聊天',
  title: '客户服务',
  placeholder: '输入消息…',
  send: '发送',
  talkToPerson: '转人工客服',
  limitedMode: '受限模式',
  limitedHint: '当前未连接 AI 模型：我可以查询订单、办理退货，或为您转接人工客服。',
  connecting: '正在连接…',
  reconnecting: '连接中断，正在重新连接…',
  sending: '发送中…',
  notSent: '未发送',
  retry: '重试',
  typing: '正在输入…',
  viewProduct: '查看商品',
  trackShipment: '查看物流',
  submit: '提交',
  queuePosition: (n) => (n <= 1 ? '下一位就是您。' : `您前面还有 ${n - 1} 位。`),
  agentJoined: '人工客服已加入。',
  handoffClosed: '与人工客服的对话已结束。',
  you: '您',
  assistant: '助手',
  agent: '客服',
  talk: '语音',
  hangUp: '挂断',
  voiceConnecting: '正在接通…',
  voiceLight: { listening: '正在听', hearing: '听到您了', thinking: '思考中', speaking: '正在说' },
  voiceUnavailable: '语音暂不可用，您可以继续打字。',
  microphoneDenied: '麦克风已被阻止。请在浏览器中允许本网站使用麦克风，或继续打字。',
  microphoneMissing: '没有可用的麦克风。您可以继续打字。',
  voiceFailed: '通话未能接通。您可以继续打字。',
  voiceEnded: '通话已结束。',
};

const BY_LANGUAGE: Record<string, WidgetStrings> = { en, es, fr, de, ar, he, fa, zh };

/** Languages written right to left; the panel mirrors for them. */
const RTL = new Set(['ar', 'he', 'fa', 'ur', 'ps', 'yi', 'dv', 'ckb', 'sd', 'ug']);

const base = (language: string) => language.toLowerCase().split(/[-_]/)[0] ?? '';

export function stringsFor(language: string): WidgetStrings {
  return BY_LANGUAGE[base(language)] ?? en;
}

export function isRightToLeft(language: string): boolean {
  return RTL.has(base(language));
}
