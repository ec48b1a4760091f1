import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A funder's name, printed on the booklets of the programs it co-funds. */
@Entity({ name: 'funders' })
export class Funder {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'learnt_at', type: 'timestamptz', default: () => 'now()' })
  learntAt: Date;
}
