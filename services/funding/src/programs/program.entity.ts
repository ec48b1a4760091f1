import { Column, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { FundingLine } from './funding-line.entity';

export type ProgramStatus = 'open' | 'closed';

const bigintAsNumber = { to: (value: number) => value, from: (value: string) => Number(value) };

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

  @Column({ name: 'lead_funder_id', type: 'uuid' })
  leadFunderId: string;

  @Column({ name: 'budget_cents', type: 'bigint', transformer: bigintAsNumber })
  budgetCents: number;

  @Column({ type: 'text', default: 'open' })
  status: ProgramStatus;

  @Column({ name: 'opened_by', type: 'text' })
  openedBy: string;

  @Column({ name: 'opened_at', type: 'timestamptz', default: () => 'now()' })
  openedAt: Date;

  @Column({ name: 'closed_by', type: 'text', nullable: true })
  closedBy: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'closed_reason', type: 'text', nullable: true })
  closedReason: string | null;

  @OneToMany(() => FundingLine, (line) => line.program, { cascade: ['insert'] })
  fundingLines: FundingLine[];
}
