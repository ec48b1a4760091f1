import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { schemaOf } from '../projection/generation.repository';
import { PASS_METRICS_SQL } from './metrics';

type Row = Record<string, unknown>;

/** Reads of one generation of the read models. */
@Injectable()
export class ViewsRepository {
  constructor(private readonly tx: TransactionHost) {}

  private query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.tx.manager.query(sql, params);
  }

  /** Programs, all of them or those where the funder has a funding line. */
  programs(generation: number, funderId: string | null): Promise<Row[]> {
    const s = schemaOf(generation);
    return this.query(
      `SELECT p.program_id, p.name, p.budget_cents, p.closed, p.face_value_cents, p.booklet_size,
              to_char(p.valid_from, 'YYYY-MM-DD') AS valid_from, to_char(p.valid_until, 'YYYY-MM-DD') AS valid_until, p.territory
       FROM ${s}.programs p
       WHERE $1::uuid IS NULL OR EXISTS (SELECT 1 FROM ${s}.funding_lines l WHERE l.program_id = p.program_id AND l.funder_id = $1)
       ORDER BY p.opened_at, p.program_id`,
      [funderId],
    );
  }

  /** The funders of a program's lines; null when the program is unknown. */
  async programFunders(generation: number, programId: string): Promise<string[] | null> {
    const s = schemaOf(generation);
    const rows = await this.query(
      `SELECT l.funder_id FROM ${s}.programs p LEFT JOIN ${s}.funding_lines l USING (program_id) WHERE p.program_id = $1`,
      [programId],
    );
    return rows.length === 0 ? null : rows.map((r) => r.funder_id as string);
  }

  async summary(generation: number, programId: string): Promise<Row> {
    const s = schemaOf(generation);
    const [row] = await this.query(
      `SELECT (SELECT coalesce(sum(allocated_cents), 0) FROM ${s}.allocations WHERE program_id = $1) AS allocated_cents, ${PASS_METRICS_SQL}
       FROM ${s}.passes x WHERE x.program_id = $1`,
      [programId],
    );
    return row;
  }

  fundingLines(generation: number, programId: string): Promise<Row[]> {
    const s = schemaOf(generation);
    return this.query(
      `SELECT l.funding_line_id, l.funder_id, f.name AS funder_name, l.position, l.share_basis_points, l.budget_cents, l.allocated_cents, l.credited_cents
       FROM ${s}.funding_lines l LEFT JOIN ${s}.funders f USING (funder_id) WHERE l.program_id = $1 ORDER BY l.position`,
      [programId],
    );
  }

  /** Passes counted by amount and status: pass amounts are split per pass across funding lines. */
  passesByAmountAndStatus(generation: number, programId: string): Promise<Row[]> {
    return this.query(
      `SELECT amount_cents, status, count(*) AS n FROM ${schemaOf(generation)}.passes WHERE program_id = $1 GROUP BY amount_cents, status`,
      [programId],
    );
  }

  byAgency(generation: number, programId: string): Promise<Row[]> {
    const s = schemaOf(generation);
    return this.query(
      `WITH m AS (SELECT x.agency_id, ${PASS_METRICS_SQL} FROM ${s}.passes x WHERE x.program_id = $1 GROUP BY x.agency_id),
            a AS (SELECT agency_id, allocated_cents FROM ${s}.allocations WHERE program_id = $1)
       SELECT coalesce(m.agency_id, a.agency_id) AS agency_id, ag.name, ag.departement, coalesce(a.allocated_cents, 0) AS allocated_cents, m.*
       FROM m FULL JOIN a ON a.agency_id = m.agency_id
       LEFT JOIN ${s}.agencies ag ON ag.agency_id = coalesce(m.agency_id, a.agency_id)
       ORDER BY ag.name NULLS LAST, 1`,
      [programId],
    );
  }

  bySite(generation: number, programId: string): Promise<Row[]> {
    const s = schemaOf(generation);
    return this.query(
      `SELECT x.site_id, si.name, si.departement, count(*) AS passes_redeemed, sum(x.amount_cents) AS redeemed_cents,
              count(DISTINCT x.booklet_id) AS booklets
       FROM ${s}.passes x LEFT JOIN ${s}.sites si USING (site_id)
       WHERE x.program_id = $1 AND x.status = 'redeemed'
       GROUP BY x.site_id, si.name, si.departement ORDER BY si.name NULLS LAST, x.site_id`,
      [programId],
    );
  }

  /**
   * Settlement of the given sites, all programs together (a statement covers a site's month, whatever the programs).
   * The delay of a payment runs from the end of its period (Paris) to the transfer.
   */
  sitePayments(generation: number, siteIds: string[]): Promise<Row[]> {
    const periodEnd = `(((period || '-01')::date + interval '1 month') AT TIME ZONE 'Europe/Paris')`;
    return this.query(
      `SELECT site_id, count(*) AS statements, count(*) FILTER (WHERE held) AS held_statements, sum(total_cents) AS statement_cents,
              coalesce(sum(paid_cents), 0) AS paid_cents, coalesce(sum(total_cents) FILTER (WHERE paid_at IS NULL AND NOT held), 0) AS awaiting_cents,
              round((avg(extract(epoch FROM paid_at - ${periodEnd})) FILTER (WHERE paid_at IS NOT NULL) / 86400)::numeric, 1) AS average_delay_days,
              round((max(extract(epoch FROM paid_at - ${periodEnd})) / 86400)::numeric, 1) AS max_delay_days,
              round((max(extract(epoch FROM now() - ${periodEnd})) FILTER (WHERE paid_at IS NULL) / 86400)::numeric, 1) AS oldest_unpaid_days
       FROM ${schemaOf(generation)}.settlement_statements WHERE site_id = ANY($1) GROUP BY site_id`,
      [siteIds],
    );
  }

  /** Issuance by the agency's département, redemptions by the site's; '' stands for a not yet known agency or site. */
  byDepartement(generation: number, programId: string): Promise<Row[]> {
    const s = schemaOf(generation);
    return this.query(
      `WITH i AS (SELECT coalesce(ag.departement, '') AS dep, ${PASS_METRICS_SQL}
                  FROM ${s}.passes x LEFT JOIN ${s}.agencies ag USING (agency_id) WHERE x.program_id = $1 GROUP BY 1),
            r AS (SELECT coalesce(si.departement, '') AS dep, count(*) AS site_passes_redeemed, sum(x.amount_cents) AS site_redeemed_cents
                  FROM ${s}.passes x LEFT JOIN ${s}.sites si USING (site_id) WHERE x.program_id = $1 AND x.status = 'redeemed' GROUP BY 1)
       SELECT coalesce(i.dep, r.dep) AS departement, i.*, r.site_passes_redeemed, r.site_redeemed_cents
       FROM i FULL JOIN r ON r.dep = i.dep ORDER BY 1`,
      [programId],
    );
  }

  /** Per Paris calendar day: booklets issued that day, and passes redeemed, voided or expired that day (still in that state). */
  byDay(generation: number, programId: string): Promise<Row[]> {
    const s = schemaOf(generation);
    const day = (column: string) => `(${column} AT TIME ZONE 'Europe/Paris')::date`;
    return this.query(
      `WITH d AS (
         SELECT ${day('issued_at')} AS day, 1 AS b, pass_count AS pi, total_cents AS ci, 0 AS pr, 0 AS cr, 0 AS pv, 0 AS cv, 0 AS pe, 0 AS ce
           FROM ${s}.booklets WHERE program_id = $1
         UNION ALL SELECT ${day('redeemed_at')}, 0, 0, 0, 1, amount_cents, 0, 0, 0, 0 FROM ${s}.passes WHERE program_id = $1 AND status = 'redeemed'
         UNION ALL SELECT ${day('voided_at')}, 0, 0, 0, 0, 0, 1, amount_cents, 0, 0 FROM ${s}.passes WHERE program_id = $1 AND status = 'voided'
         UNION ALL SELECT ${day('expired_at')}, 0, 0, 0, 0, 0, 0, 0, 1, amount_cents FROM ${s}.passes WHERE program_id = $1 AND status = 'expired')
       SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(b) AS booklets_issued, sum(pi) AS passes_issued, sum(ci) AS issued_cents,
              sum(pr) AS passes_redeemed, sum(cr) AS redeemed_cents, sum(pv) AS passes_voided, sum(cv) AS voided_cents,
              sum(pe) AS passes_expired, sum(ce) AS expired_cents
       FROM d GROUP BY day ORDER BY day`,
      [programId],
    );
  }

  /** Beneficiaries per category, each counted once with the profile of their latest booklet. */
  profiles(generation: number, programId: string): Promise<Row[]> {
    const s = schemaOf(generation);
    return this.query(
      `WITH latest AS (
         SELECT DISTINCT ON (beneficiary_ref) age_band, situation, diagnostic_level FROM ${s}.booklets
         WHERE program_id = $1 ORDER BY beneficiary_ref, issued_at DESC, booklet_id DESC)
       SELECT 'ageBand' AS dimension, coalesce(age_band, 'unknown') AS category, count(*) AS n FROM latest GROUP BY 2
       UNION ALL SELECT 'situation', situation, count(*) FROM latest GROUP BY 2
       UNION ALL SELECT 'diagnosticLevel', diagnostic_level, count(*) FROM latest GROUP BY 2`,
      [programId],
    );
  }

  async lastEventAt(generation: number): Promise<string | null> {
    const [row] = await this.query(`SELECT max(occurred_at) AS at FROM ${schemaOf(generation)}.events`);
    return row.at ? (row.at as Date).toISOString() : null;
  }
}
