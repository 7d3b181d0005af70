import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { ErrorCode, LiveportError } from '@liveport/protocol';

/**
 * Call-back requests: a customer whose video call nobody took leaves a time and a phone
 * number, and the desk calls them back. Kept in the desk's SQLite file beside its work items,
 * so they survive a restart and the staff's tools can read them (GET /api/desk/callbacks).
 */
export interface ConsultCallback {
  id: string;
  conversationId: string;
  /** the item of the video request nobody answered */
  itemId?: string;
  /** when the customer wants the call, ms since the epoch */
  at: number;
  phone: string;
  language: string;
  product?: string;
  createdAt: number;
}

export type NewConsultCallback = Omit<ConsultCallback, 'id' | 'createdAt'>;

const DDL = `
CREATE TABLE IF NOT EXISTS consult_callbacks (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  item_id TEXT,
  at INTEGER NOT NULL,
  phone TEXT NOT NULL,
  language TEXT NOT NULL,
  product TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS consult_callbacks_by_time ON consult_callbacks(at);
`;

interface Row {
  id: string;
  conversation_id: string;
  item_id: string | null;
  at: number;
  phone: string;
  language: string;
  product: string | null;
  created_at: number;
}

/** digits with the usual separators and an optional leading +; 6 to 20 digits */
const PHONE = /^\+?[0-9 ().-]{6,30}$/;

export class ConsultCallbacks {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(DDL);
  }

  /**
   * Validates what the customer typed: a phone number and a time that reads as a date
   * (an ISO string or a datetime-local value) and is not in the past.
   */
  static parse(values: Record<string, string>, now = Date.now()): { at: number; phone: string } {
    const phone = (values.phone ?? '').trim();
    const digits = phone.replace(/\D/g, '');
    if (!PHONE.test(phone) || digits.length < 6 || digits.length > 20)
      throw new LiveportError(ErrorCode.BAD_REQUEST, 'phone must be a telephone number');
    const raw = (values.at ?? values.time ?? '').trim();
    const at = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
    // A minute of grace: "now" typed in the form is already a little in the past when it arrives.
    if (!Number.isFinite(at) || at < now - 60_000)
      throw new LiveportError(ErrorCode.BAD_REQUEST, 'at must be a time from now on');
    return { at, phone };
  }

  add(input: NewConsultCallback): ConsultCallback {
    const callback: ConsultCallback = { ...input, id: randomUUID(), createdAt: Date.now() };
    this.db
      .prepare(
        `INSERT INTO consult_callbacks (id, conversation_id, item_id, at, phone, language, product, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        callback.id,
        callback.conversationId,
        callback.itemId ?? null,
        callback.at,
        callback.phone,
        callback.language,
        callback.product ?? null,
        callback.createdAt,
      );
    return callback;
  }

  /** The soonest first; those from `from` on (default: all). */
  list(filter: { from?: number; limit?: number } = {}): ConsultCallback[] {
    const rows = this.db
      .prepare('SELECT * FROM consult_callbacks WHERE at >= ? ORDER BY at, created_at LIMIT ?')
      .all(filter.from ?? 0, filter.limit ?? 200) as Row[];
    return rows.map((row) => ({
      id: row.id,
      conversationId: row.conversation_id,
      ...(row.item_id !== null && { itemId: row.item_id }),
      at: row.at,
      phone: row.phone,
      language: row.language,
      ...(row.product !== null && { product: row.product }),
      createdAt: row.created_at,
    }));
  }

  close(): void {
    this.db.close();
  }
}
