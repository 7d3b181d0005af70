import Database from 'better-sqlite3';
import type { ChatServerEvent } from '@liveport/protocol';
import type { ChatMessage } from '../providers/llm/types.ts';
import type {
  AuditEntry,
  ConversationRecord,
  ConversationStatus,
  ConversationStore,
  HandoffRecord,
  HandoffStatus,
  ToolCallRecord,
} from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(updated_at);
CREATE TABLE IF NOT EXISTS conversation_events (
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  client_id TEXT,
  event TEXT NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS conversation_events_client
  ON conversation_events(conversation_id, client_id) WHERE client_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS conversation_history (
  conversation_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (conversation_id, idx)
);
CREATE TABLE IF NOT EXISTS tool_calls (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  name TEXT NOT NULL,
  arguments TEXT NOT NULL,
  result TEXT NOT NULL,
  ok INTEGER NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tool_calls_conversation ON tool_calls(conversation_id, at);
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  conversation_id TEXT NOT NULL,
  customer_id TEXT,
  action TEXT NOT NULL,
  target TEXT,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_conversation ON audit_log(conversation_id);
CREATE TABLE IF NOT EXISTS handoffs (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  queue TEXT NOT NULL,
  skill TEXT NOT NULL,
  language TEXT NOT NULL,
  reason TEXT NOT NULL,
  summary TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  customer_id TEXT
);
CREATE INDEX IF NOT EXISTS handoffs_queue ON handoffs(status, queue, created_at);
`;

type Row = Record<string, unknown>;

/** The embedded conversation store: one SQLite file (WAL), statements prepared once. */
export class SqliteConversationStore implements ConversationStore {
  private readonly db: Database.Database;
  private readonly stmt: Record<string, Database.Statement>;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL keeps WAL durable across a crash of the process (not of the OS) at a fraction of FULL's cost
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const s = (sql: string) => this.db.prepare(sql);
    this.stmt = {
      insertConversation: s(
        'INSERT INTO conversations (id, created_at, updated_at, status, record) VALUES (?, ?, ?, ?, ?)',
      ),
      getConversation: s('SELECT record FROM conversations WHERE id = ?'),
      updateConversation: s('UPDATE conversations SET updated_at = ?, status = ?, record = ? WHERE id = ?'),
      listAll: s('SELECT record FROM conversations WHERE updated_at < ? ORDER BY updated_at DESC LIMIT ?'),
      listByStatus: s(
        'SELECT record FROM conversations WHERE status = ? AND updated_at < ? ORDER BY updated_at DESC LIMIT ?',
      ),
      insertEvent: s(
        'INSERT INTO conversation_events (conversation_id, seq, client_id, event) VALUES (?, ?, ?, ?)',
      ),
      eventsAfter: s(
        'SELECT event FROM conversation_events WHERE conversation_id = ? AND seq > ? ORDER BY seq',
      ),
      lastSeq: s('SELECT MAX(seq) AS seq FROM conversation_events WHERE conversation_id = ?'),
      findClient: s('SELECT seq FROM conversation_events WHERE conversation_id = ? AND client_id = ?'),
      insertHistory: s(
        `INSERT INTO conversation_history (conversation_id, idx, message)
         VALUES (?, (SELECT COALESCE(MAX(idx), -1) + 1 FROM conversation_history WHERE conversation_id = ?), ?)`,
      ),
      replaceHistory: s('UPDATE conversation_history SET message = ? WHERE conversation_id = ? AND idx = ?'),
      history: s('SELECT message FROM conversation_history WHERE conversation_id = ? ORDER BY idx'),
      insertToolCall: s(
        'INSERT INTO tool_calls (id, conversation_id, name, arguments, result, ok, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      toolCalls: s('SELECT * FROM tool_calls WHERE conversation_id = ? ORDER BY at, rowid'),
      insertAudit: s(
        `INSERT INTO audit_log (at, conversation_id, customer_id, action, target, outcome, details)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      auditAll: s('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?'),
      auditFor: s('SELECT * FROM audit_log WHERE conversation_id = ? ORDER BY id DESC LIMIT ?'),
      insertHandoff: s(
        `INSERT INTO handoffs (id, conversation_id, queue, skill, language, reason, summary, status, created_at, customer_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateHandoff: s('UPDATE handoffs SET status = ? WHERE id = ?'),
      // one statement for every filter: a null parameter matches anything
      handoffs: s(
        `SELECT * FROM handoffs WHERE (@status IS NULL OR status = @status) AND (@queue IS NULL OR queue = @queue)
           AND (@conversation IS NULL OR conversation_id = @conversation) ORDER BY created_at, rowid`,
      ),
    };
  }

  create(r: ConversationRecord): void {
    this.stmt.insertConversation!.run(r.id, r.createdAt, r.updatedAt, r.status, JSON.stringify(r));
  }

  get(id: string): ConversationRecord | undefined {
    const row = this.stmt.getConversation!.get(id) as Row | undefined;
    return row ? (JSON.parse(row.record as string) as ConversationRecord) : undefined;
  }

  update(r: ConversationRecord): void {
    this.stmt.updateConversation!.run(r.updatedAt, r.status, JSON.stringify(r), r.id);
  }

  list(filter: { status?: ConversationStatus; limit: number; before?: number }): ConversationRecord[] {
    const before = filter.before ?? Number.MAX_SAFE_INTEGER;
    const rows = (
      filter.status
        ? this.stmt.listByStatus!.all(filter.status, before, filter.limit)
        : this.stmt.listAll!.all(before, filter.limit)
    ) as Row[];
    return rows.map((row) => JSON.parse(row.record as string) as ConversationRecord);
  }

  appendEvent(conversationId: string, event: ChatServerEvent, clientId?: string): void {
    this.stmt.insertEvent!.run(conversationId, event.seq, clientId ?? null, JSON.stringify(event));
  }

  eventsAfter(conversationId: string, seq: number): ChatServerEvent[] {
    return (this.stmt.eventsAfter!.all(conversationId, seq) as Row[]).map(
      (row) => JSON.parse(row.event as string) as ChatServerEvent,
    );
  }

  lastSeq(conversationId: string): number {
    const row = this.stmt.lastSeq!.get(conversationId) as Row | undefined;
    return (row?.seq as number | null) ?? 0;
  }

  findClientMessage(conversationId: string, clientId: string): number | undefined {
    const row = this.stmt.findClient!.get(conversationId, clientId) as Row | undefined;
    return row ? (row.seq as number) : undefined;
  }

  appendHistory(conversationId: string, message: ChatMessage): void {
    this.stmt.insertHistory!.run(conversationId, conversationId, JSON.stringify(message));
  }

  history(conversationId: string): ChatMessage[] {
    return (this.stmt.history!.all(conversationId) as Row[]).map(
      (row) => JSON.parse(row.message as string) as ChatMessage,
    );
  }

  replaceHistory(conversationId: string, index: number, message: ChatMessage): void {
    this.stmt.replaceHistory!.run(JSON.stringify(message), conversationId, index);
  }

  recordToolCall(r: ToolCallRecord): void {
    this.stmt.insertToolCall!.run(
      r.id,
      r.conversationId,
      r.name,
      JSON.stringify(r.arguments),
      JSON.stringify(r.result),
      r.ok ? 1 : 0,
      r.at,
    );
  }

  toolCalls(conversationId: string): ToolCallRecord[] {
    return (this.stmt.toolCalls!.all(conversationId) as Row[]).map((row) => ({
      id: row.id as string,
      conversationId: row.conversation_id as string,
      name: row.name as string,
      arguments: JSON.parse(row.arguments as string) as unknown,
      result: JSON.parse(row.result as string) as unknown,
      ok: row.ok === 1,
      at: row.at as number,
    }));
  }

  audit(e: Omit<AuditEntry, 'id'>): void {
    this.stmt.insertAudit!.run(
      e.at,
      e.conversationId,
      e.customerId ?? null,
      e.action,
      e.target ?? null,
      e.outcome,
      JSON.stringify(e.details),
    );
  }

  auditLog(filter: { conversationId?: string; limit: number }): AuditEntry[] {
    const rows = (
      filter.conversationId
        ? this.stmt.auditFor!.all(filter.conversationId, filter.limit)
        : this.stmt.auditAll!.all(filter.limit)
    ) as Row[];
    return rows.map((row) => ({
      id: row.id as number,
      at: row.at as number,
      conversationId: row.conversation_id as string,
      customerId: (row.customer_id as string | null) ?? undefined,
      action: row.action as string,
      target: (row.target as string | null) ?? undefined,
      outcome: row.outcome as AuditEntry['outcome'],
      details: JSON.parse(row.details as string) as unknown,
    }));
  }

  addHandoff(h: HandoffRecord): void {
    this.stmt.insertHandoff!.run(
      h.id,
      h.conversationId,
      h.queue,
      h.skill,
      h.language,
      h.reason,
      h.summary,
      h.status,
      h.createdAt,
      h.customerId ?? null,
    );
  }

  updateHandoff(id: string, status: HandoffStatus): void {
    this.stmt.updateHandoff!.run(status, id);
  }

  handoffs(filter: { status?: HandoffStatus; queue?: string; conversationId?: string }): HandoffRecord[] {
    const rows = this.stmt.handoffs!.all({
      status: filter.status ?? null,
      queue: filter.queue ?? null,
      conversation: filter.conversationId ?? null,
    }) as Row[];
    return rows.map((row) => ({
      id: row.id as string,
      conversationId: row.conversation_id as string,
      queue: row.queue as string,
      skill: row.skill as string,
      language: row.language as string,
      reason: row.reason as string,
      summary: row.summary as string,
      status: row.status as HandoffStatus,
      createdAt: row.created_at as number,
      customerId: (row.customer_id as string | null) ?? undefined,
    }));
  }

  close(): void {
    this.db.close();
  }
}
