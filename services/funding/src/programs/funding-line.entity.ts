import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Program } from './program.entity';

/** A funder's share of a program: every amount of the program is split across its lines. */
@Entity({ name: 'funding_lines' })
export class FundingLine {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'program_id', type: 'uuid' })
  programId: string;

  @Column({ name: 'funder_id', type: 'uuid' })
  funderId: string;

  @Column({ name: 'share_basis_points', type: 'int' })
  shareBasisPoints: number;

  /** Order of the lines in the program; the first line takes ties when splitting. */
  @Column({ type: 'int' })
  position: number;

  @ManyToOne('Program', 'fundingLines')
  @JoinColumn({ name: 'program_id' })
  program?: Program;
}
