import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FundingLineV1 } from '@app/contracts';

export type ProgramStatus = 'open' | 'closed';

/** Issuance's copy of a funding program: what it needs to issue and print booklets. */
@Entity({ name: 'programs' })
export class Program {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'face_value_cents', type: 'int' })
  faceValueCents: number;

  @Column({ name: 'booklet_size', type: 'int' })
  bookletSize: number;

  @Column({ name: 'valid_from', type: 'date' })
  validFrom: string;

  @Column({ name: 'valid_until', type: 'date' })
  validUntil: string;

  @Column({ name: 'tolerance_days', type: 'int' })
  toleranceDays: number;

  @Column({ type: 'text', array: true })
  territory: string[];

  @Column({ name: 'funding_lines', type: 'jsonb' })
  fundingLines: FundingLineV1[];

  @Column({ type: 'text', default: 'open' })
  status: ProgramStatus;

  @Column({ name: 'opened_at', type: 'timestamptz', default: () => 'now()' })
  openedAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;
}

/** What one booklet of the program is worth. */
export function bookletValueCents(program: Pick<Program, 'faceValueCents' | 'bookletSize'>): number {
  return program.faceValueCents * program.bookletSize;
}
