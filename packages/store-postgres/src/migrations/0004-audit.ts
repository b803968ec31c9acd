import type { Migration } from './index.js';

// The audit trail: one hash chain per tenant. `seq` counts each tenant's records from 1 with no gap; `prev_hash` is
// the hash of the record before (for #1 the tenant's genesis, SHA-256 of 'qdesk-audit-v1:' || tenant_id) and
// `hash` = SHA-256(prev_hash || UTF-8 of the record's canonical JSON, see `canonicalAuditRecord`). The record is kept
// as columns, never as a copy of its canonical text, so a verifier recomputes every hash from what is stored and any
// changed column shows. `customer_id_set` tells a record without a customer (NULL, false) from one whose session ran
// under no customer (NULL, true): both are part of the hashed record.
//
// `qdesk_audit_heads` holds each chain's last seq and hash. `qdesk_audit_append` is the only writer: it locks the
// head row (SELECT ... FOR UPDATE), so appenders on any number of connections and instances take turns on it and
// each links to the record before; the chain cannot fork. The head also shows records removed from the end.
//
// A retried append (same tenant and id, same content: the first try committed but its answer was lost) returns the
// stored record's seq instead of adding it twice; the same id with other content is refused (SQLSTATE 23505).
// Times are epoch milliseconds. Each query filter has its own index, newest first, as history pages read them.
export const auditMigration: Migration = {
  name: '0004-audit',
  statements: [
    `CREATE TABLE qdesk_audit (
      tenant_id text NOT NULL,
      seq bigint NOT NULL CHECK (seq > 0),
      id text NOT NULL,
      at bigint NOT NULL,
      session_id text,
      action text NOT NULL,
      actor_type text NOT NULL,
      actor_id text NOT NULL,
      actor_name text,
      ticket_id text,
      ticket_number text,
      end_user_id text,
      customer_id text,
      customer_id_set boolean NOT NULL,
      method text,
      result text NOT NULL,
      status text,
      detail jsonb,
      prev_hash bytea NOT NULL,
      hash bytea NOT NULL,
      PRIMARY KEY (tenant_id, seq),
      UNIQUE (tenant_id, id)
    )`,
    `CREATE TABLE qdesk_audit_heads (
      tenant_id text PRIMARY KEY,
      seq bigint NOT NULL,
      hash bytea NOT NULL
    )`,
    'CREATE INDEX qdesk_audit_at ON qdesk_audit (tenant_id, at DESC, seq DESC)',
    `CREATE INDEX qdesk_audit_ticket ON qdesk_audit (tenant_id, ticket_id, at DESC)
      WHERE ticket_id IS NOT NULL`,
    `CREATE INDEX qdesk_audit_end_user ON qdesk_audit (tenant_id, end_user_id, at DESC)
      WHERE end_user_id IS NOT NULL`,
    `CREATE INDEX qdesk_audit_session ON qdesk_audit (tenant_id, session_id, at DESC)
      WHERE session_id IS NOT NULL`,
    `CREATE INDEX qdesk_audit_technician ON qdesk_audit (tenant_id, actor_id, at DESC)
      WHERE actor_type = 'technician'`,
    `CREATE INDEX qdesk_audit_customer ON qdesk_audit (tenant_id, customer_id, at DESC)
      WHERE customer_id IS NOT NULL`,
    `CREATE FUNCTION qdesk_audit_append(
      p_tenant_id text, p_canonical text, p_id text, p_at bigint, p_session_id text, p_action text,
      p_actor_type text, p_actor_id text, p_actor_name text, p_ticket_id text, p_ticket_number text,
      p_end_user_id text, p_customer_id text, p_customer_id_set boolean, p_method text, p_result text,
      p_status text, p_detail jsonb
    ) RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE
      head_seq bigint;
      head_hash bytea;
      new_hash bytea;
      found_seq bigint;
      found_prev bytea;
      found_hash bytea;
    BEGIN
      SELECT seq, hash INTO head_seq, head_hash FROM qdesk_audit_heads WHERE tenant_id = p_tenant_id FOR UPDATE;
      IF NOT FOUND THEN
        INSERT INTO qdesk_audit_heads (tenant_id, seq, hash)
          VALUES (p_tenant_id, 0, sha256(convert_to('qdesk-audit-v1:' || p_tenant_id, 'UTF8')))
          ON CONFLICT (tenant_id) DO NOTHING;
        SELECT seq, hash INTO head_seq, head_hash FROM qdesk_audit_heads WHERE tenant_id = p_tenant_id FOR UPDATE;
      END IF;
      SELECT seq, prev_hash, hash INTO found_seq, found_prev, found_hash
        FROM qdesk_audit WHERE tenant_id = p_tenant_id AND id = p_id;
      IF FOUND THEN
        IF sha256(found_prev || convert_to(p_canonical, 'UTF8')) = found_hash THEN
          RETURN found_seq;
        END IF;
        RAISE EXCEPTION 'qdesk_audit: tenant % already holds a different audit record with id %', p_tenant_id, p_id
          USING ERRCODE = '23505';
      END IF;
      new_hash := sha256(head_hash || convert_to(p_canonical, 'UTF8'));
      INSERT INTO qdesk_audit (
        tenant_id, seq, id, at, session_id, action, actor_type, actor_id, actor_name, ticket_id, ticket_number,
        end_user_id, customer_id, customer_id_set, method, result, status, detail, prev_hash, hash
      ) VALUES (
        p_tenant_id, head_seq + 1, p_id, p_at, p_session_id, p_action, p_actor_type, p_actor_id, p_actor_name,
        p_ticket_id, p_ticket_number, p_end_user_id, p_customer_id, p_customer_id_set, p_method, p_result,
        p_status, p_detail, head_hash, new_hash
      );
      UPDATE qdesk_audit_heads SET seq = head_seq + 1, hash = new_hash WHERE tenant_id = p_tenant_id;
      RETURN head_seq + 1;
    END
    $$`,
  ],
};
