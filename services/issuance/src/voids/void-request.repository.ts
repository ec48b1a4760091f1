import { Injectable } from '@nestjs/common';
import { VoidReason } from '@app/contracts';
import { TransactionHost } from '@app/database';

export interface NewVoidRequest {
  id: string;
  passId: string;
  reason: VoidReason;
  comment: string | null;
  requestedBy: string;
}

export interface VoidRequestRow extends NewVoidRequest {
  status: 'pending' | 'accepted' | 'rejected';
  requestedAt: Date;
}

@Injectable()
export class VoidRequestRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Inserts the requests of passes that have no pending one; returns those inserted (a concurrent twin loses here). */
  async insertUnlessPending(requests: NewVoidRequest[]): Promise<VoidRequestRow[]> {
    return this.tx.manager.query(
      `INSERT INTO void_requests (id, pass_id, reason, comment, requested_by)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT (pass_id) WHERE status = 'pending' DO NOTHING
       RETURNING id, pass_id AS "passId", reason, comment, requested_by AS "requestedBy", status, requested_at AS "requestedAt"`,
      [
        requests.map((r) => r.id),
        requests.map((r) => r.passId),
        requests.map((r) => r.reason),
        requests.map((r) => r.comment),
        requests.map((r) => r.requestedBy),
      ],
    );
  }

  /** False when no request of that pass has that id. */
  async decide(
    requestId: string,
    passId: string,
    decision: { status: 'accepted' } | { status: 'rejected'; reason: string },
  ): Promise<boolean> {
    const [rows] = await this.tx.manager.query(
      `UPDATE void_requests SET status = $3, rejection_reason = $4, decided_at = now()
       WHERE id = $1 AND pass_id = $2 RETURNING id`,
      [requestId, passId, decision.status, decision.status === 'rejected' ? decision.reason : null],
    );
    return rows.length === 1;
  }
}
