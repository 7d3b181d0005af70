import type { ConversationStore } from '@liveport/agent';

/** A recorded video consultation, as the audit log keeps it. */
export interface RecordingInfo {
  conversationId: string;
  itemId: string;
  at: number;
  bytes: number;
  /** the clerk who took the call */
  clerkId?: string;
  file: string;
}

/** The finished recordings of a conversation, newest first. */
export function conversationRecordings(
  conversations: ConversationStore,
  conversationId: string,
): RecordingInfo[] {
  return conversations
    .auditLog({ conversationId, limit: 500 })
    .filter((a) => a.action === 'video_recording' && a.outcome === 'done' && a.target)
    .map((a) => {
      const details = (a.details ?? {}) as { itemId?: string; bytes?: number; clerk?: string };
      return {
        conversationId,
        itemId: String(details.itemId ?? ''),
        at: a.at,
        bytes: Number(details.bytes ?? 0),
        ...(details.clerk && { clerkId: details.clerk }),
        file: a.target!,
      };
    })
    .sort((a, b) => b.at - a.at);
}
