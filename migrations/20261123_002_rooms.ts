import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rooms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('private'))
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_activity_at', 'text', (c) => c.notNull())
    .addColumn('ai_mode', 'text', (c) => c.notNull().defaultTo('mention'))
    .addColumn('ai_model', 'text')
    .addColumn('system_prompt', 'text')
    .addColumn('web_search', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('rooms_visibility').on('rooms').columns(['visibility']).execute();

  await db.schema
    .createTable('room_members')
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('room_members_pk', ['room_id', 'user_id'])
    .execute();
  await db.schema.createIndex('room_members_user').on('room_members').columns(['user_id']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'text')
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addColumn('ai', 'text')
    .execute();
  // Keyset pagination: (room_id, seq) serves before/after cursors and the newest page.
  await db.schema.createIndex('messages_room_seq').unique().on('messages').columns(['room_id', 'seq']).execute();
  await db.schema.createIndex('messages_hash').on('messages').columns(['hash']).execute();
  await db.schema
    .createIndex('messages_author_client')
    .unique()
    .on('messages')
    .columns(['author_id', 'client_id'])
    .where('client_id', 'is not', null)
    .execute();

  await db.schema
    .createTable('room_events')
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('frame', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('room_events_pk', ['room_id', 'seq'])
    .execute();

  await db.schema
    .createTable('invites')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('max_uses', 'integer')
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('invites_room').on('invites').columns(['room_id']).execute();

  await db.schema
    .createTable('nostr_invites')
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('pubkey', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('nostr_invites_pk', ['room_id', 'pubkey'])
    .execute();
  await db.schema.createIndex('nostr_invites_pubkey').on('nostr_invites').columns(['pubkey']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['nostr_invites', 'invites', 'room_events', 'messages', 'room_members', 'rooms']) {
    await db.schema.dropTable(t).execute();
  }
}
