/**
 * The video consultation's own words, in the widget's languages (the same choice as
 * strings.ts: the conversation's language, else the browser's; English for the rest).
 */
export interface ConsultStrings {
  videoConsult: string;
  ringing: string;
  connected: (clerk: string) => string;
  unanswered: string;
  keepChatting: string;
  callMeBack: string;
  callbackTime: string;
  callbackPhone: string;
  callbackSend: string;
  callbackBooked: (when: string) => string;
  ended: string;
  recordConsent: string;
  recording: string;
  hangUp: string;
  cameraDenied: string;
  /** the connection dropped and is being made again */
  reconnecting: string;
  failed: string;
  quality: (rttMs: number | undefined, lossPercent: number, kbps: number) => string;
}

const quality =
  (rtt: string, loss: string) => (rttMs: number | undefined, lossPercent: number, kbps: number) =>
    `${rtt} ${rttMs === undefined ? '–' : `${Math.round(rttMs)} ms`} · ${loss} ${lossPercent.toFixed(1)}% · ${Math.round(kbps)} kbit/s`;

const en: ConsultStrings = {
  videoConsult: 'Video consult',
  ringing: 'Calling a clerk…',
  connected: (clerk) => `You are with ${clerk}`,
  unanswered: 'Nobody is free right now.',
  keepChatting: 'Keep chatting',
  callMeBack: 'Call me back',
  callbackTime: 'When',
  callbackPhone: 'Phone',
  callbackSend: 'Book the call',
  callbackBooked: (when) => `We will call you on ${when}.`,
  ended: 'The video call has ended.',
  recordConsent: 'Record this call?',
  recording: 'Recording',
  hangUp: 'Hang up',
  cameraDenied: 'The camera or microphone is blocked. Allow them for this site to start the video call.',
  reconnecting: 'Reconnecting…',
  failed: 'The video call could not connect.',
  quality: quality('Delay', 'Loss'),
};

const es: ConsultStrings = {
  videoConsult: 'Videoconsulta',
  ringing: 'Llamando a un dependiente…',
  connected: (clerk) => `Estás con ${clerk}`,
  unanswered: 'No hay nadie libre ahora mismo.',
  keepChatting: 'Seguir en el chat',
  callMeBack: 'Llamadme',
  callbackTime: 'Cuándo',
  callbackPhone: 'Teléfono',
  callbackSend: 'Reservar la llamada',
  callbackBooked: (when) => `Te llamaremos el ${when}.`,
  ended: 'La videollamada ha terminado.',
  recordConsent: '¿Grabar esta llamada?',
  recording: 'Grabando',
  hangUp: 'Colgar',
  cameraDenied: 'La cámara o el micrófono están bloqueados. Permítelos para este sitio.',
  reconnecting: 'Reconectando…',
  failed: 'No se pudo conectar la videollamada.',
  quality: quality('Retardo', 'Pérdida'),
};

const fr: ConsultStrings = {
  videoConsult: 'Conseil en vidéo',
  ringing: 'Appel d’un vendeur…',
  connected: (clerk) => `Vous êtes avec ${clerk}`,
  unanswered: 'Personne n’est disponible pour le moment.',
  keepChatting: 'Continuer le chat',
  callMeBack: 'Me rappeler',
  callbackTime: 'Quand',
  callbackPhone: 'Téléphone',
  callbackSend: 'Réserver l’appel',
  callbackBooked: (when) => `Nous vous appellerons le ${when}.`,
  ended: 'L’appel vidéo est terminé.',
  recordConsent: 'Enregistrer cet appel ?',
  recording: 'Enregistrement',
  hangUp: 'Raccrocher',
  cameraDenied: 'La caméra ou le micro est bloqué. Autorisez-les pour ce site.',
  reconnecting: 'Reconnexion…',
  failed: 'L’appel vidéo n’a pas pu se connecter.',
  quality: quality('Délai', 'Perte'),
};

const de: ConsultStrings = {
  videoConsult: 'Videoberatung',
  ringing: 'Ein Verkäufer wird angerufen…',
  connected: (clerk) => `Sie sprechen mit ${clerk}`,
  unanswered: 'Gerade ist niemand frei.',
  keepChatting: 'Weiter chatten',
  callMeBack: 'Rückruf',
  callbackTime: 'Wann',
  callbackPhone: 'Telefon',
  callbackSend: 'Rückruf buchen',
  callbackBooked: (when) => `Wir rufen Sie am ${when} an.`,
  ended: 'Der Videoanruf ist beendet.',
  recordConsent: 'Diesen Anruf aufzeichnen?',
  recording: 'Aufzeichnung',
  hangUp: 'Auflegen',
  cameraDenied: 'Kamera oder Mikrofon sind blockiert. Erlauben Sie sie für diese Seite.',
  reconnecting: 'Verbindung wird wiederhergestellt…',
  failed: 'Der Videoanruf konnte nicht verbunden werden.',
  quality: quality('Verzögerung', 'Verlust'),
};

const ar: ConsultStrings = {
  videoConsult: 'استشارة بالفيديو',
  ringing: 'جارٍ الاتصال بموظف…',
  connected: (clerk) => `أنت مع ${clerk}`,
  unanswered: 'لا يوجد أحد متاح الآن.',
  keepChatting: 'متابعة الدردشة',
  callMeBack: 'اتصلوا بي لاحقًا',
  callbackTime: 'متى',
  callbackPhone: 'الهاتف',
  callbackSend: 'حجز المكالمة',
  callbackBooked: (when) => `سنتصل بك في ${when}.`,
  ended: 'انتهت مكالمة الفيديو.',
  recordConsent: 'تسجيل هذه المكالمة؟',
  recording: 'جارٍ التسجيل',
  hangUp: 'إنهاء',
  cameraDenied: 'الكاميرا أو الميكروفون محظوران. اسمح بهما لهذا الموقع.',
  reconnecting: 'جارٍ إعادة الاتصال…',
  failed: 'تعذر اتصال مكالمة الفيديو.',
  quality: quality('التأخير', 'الفقد'),
};

const zh: ConsultStrings = {
  videoConsult: '视频咨询',
  ringing: '正在呼叫店员…',
  connected: (clerk) => `正在与 ${clerk} 通话`,
  unanswered: '目前没有空闲的店员。',
  keepChatting: '继续聊天',
  callMeBack: '给我回电',
  callbackTime: '时间',
  callbackPhone: '电话',
  callbackSend: '预约回电',
  callbackBooked: (when) => `我们会在 ${when} 给您回电。`,
  ended: '视频通话已结束。',
  recordConsent: '录制本次通话？',
  recording: '录制中',
  hangUp: '挂断',
  cameraDenied: '摄像头或麦克风被阻止。请允许本网站使用它们。',
  reconnecting: '正在重新连接…',
  failed: '视频通话无法连接。',
  quality: quality('延迟', '丢包'),
};

const BY_LANGUAGE: Record<string, ConsultStrings> = { en, es, fr, de, ar, zh };

export function consultStringsFor(language: string): ConsultStrings {
  return BY_LANGUAGE[language.toLowerCase().split(/[-_]/)[0] ?? ''] ?? en;
}
