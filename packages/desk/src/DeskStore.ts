import Database from 'better-sqlite3';
import type { AssignmentStep, WorkCustomer, WorkItem, WorkKind, WorkStatus } from './DeskRouterTypes.ts';
import { queueName } from './queueName.ts';

const DDL = `
CREATE TABLE IF NOT EXISTS desk_items (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('handoff', 'chat', 'video')),
  skill TEXT NOT NULL,
  language TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'assigned', 'closed')),
  assignee TEXT,
  escalated INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  waiting_since INTEGER,
  summary TEXT,
  customer TEXT,
  context TEXT,
  history TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS desk_items_open ON desk_items(status, created_at);
CREATE INDEX IF NOT EXISTS desk_items_by_conversation ON desk_items(conversation_id);
`;

interface ItemRow {
  id: string;
  conversation_id: string;
  kind: WorkKind;
  skill: string;
  language: string;
  status: WorkStatus;
  assignee: string | null;
  escalated: number;
  created_at: number;
  waiting_since: number | null;
  summary: string | null;
  customer: string | null;
  context: string | null;
  history: string;
}

/**
 * Where the desk's work items live between restarts: each item's status, assignee and history,
 * written on every change so a restarted router finds its queues and assignments as they were.
 * Offers are not kept: they are seconds long, and a restarted router makes fresh ones.
 */
export class DeskStore {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly upsert: Database.Statement;

  constructor(db: Database.Database | string) {
    this.ownsDb = typeof db === 'string';
    this.db = typeof db === 'string' ? new Database(db) : db;
    if (this.ownsDb) this.db.pragma('journal_mode = WAL');
    this.db.exec(DDL);
    // An upsert, not INSERT OR REPLACE: the row keeps its rowid, which orders items that
    // arrived in the same millisecond. Prepared once: every change of every item writes it.
    this.upsert = this.db.prepare(
      `INSERT INTO desk_items (id, conversation_id, kind, skill, language, status, assignee, escalated,
         created_at, waiting_since, summary, customer, context, history)
       VALUES (@id, @conversation_id, @kind, @skill, @language, @status, @assignee, @escalated,
         @created_at, @waiting_since, @summary, @customer, @context, @history)
       ON CONFLICT(id) DO UPDATE SET
         skill = excluded.skill, language = excluded.language, status = excluded.status,
         assignee = excluded.assignee, escalated = excluded.escalated,
         waiting_since = excluded.waiting_since, history = excluded.history`,
    );
  }

  save(item: WorkItem): void {
    this.upsert.run(toRow(item));
  }

  get(id: string): WorkItem | undefined {
    const row = this.db.prepare('SELECT * FROM desk_items WHERE id = ?').get(id) as ItemRow | undefined;
    return row && toItem(row);
  }

  /** Every item not closed, in arrival order. */
  openItems(): WorkItem[] {
    const rows = this.db
      .prepare("SELECT * FROM desk_items WHERE status != 'closed' ORDER BY created_at, rowid")
      .all() as ItemRow[];
    return rows.map(toItem);
  }

  /** Closes the database if the store opened it. */
  close(): void {
    if (this.ownsDb) this.db.close();
  }
}

function toRow(item: WorkItem): ItemRow {
  return {
    id: item.id,
    conversation_id: item.conversationId,
    kind: item.kind,
    skill: item.skill,
    language: item.language,
    status: item.status,
    assignee: item.assignee ?? null,
    escalated: item.escalated ? 1 : 0,
    created_at: item.createdAt,
    waiting_since: item.waitingSince ?? null,
    summary: item.summary ?? null,
    customer: item.customer ? JSON.stringify(item.customer) : null,
    context: item.context ? JSON.stringify(item.context) : null,
    history: JSON.stringify(item.history),
  };
}

function toItem(row: ItemRow): WorkItem {
  const item: WorkItem = {
    id: row.id,
    conversationId: row.conversation_id,
    kind: row.kind,
    skill: row.skill,
    language: row.language,
    queue: queueName(row.skill, row.language),
    createdAt: row.created_at,
    status: row.status,
    escalated: row.escalated === 1,
    history: JSON.parse(row.history) as AssignmentStep[],
  };
  if (row.assignee !== null) item.assignee = row.assignee;
  if (row.waiting_since !== null) item.waitingSince = row.waiting_since;
  if (row.summary !== null) item.summary = row.summary;
  if (row.customer !== null) item.customer = JSON.parse(row.customer) as WorkCustomer;
  if (row.context !== null) item.context = JSON.parse(row.context) as Record<string, unknown>;
  return item;
}
