import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An agency as learnt from issuance's AgencyRegistered: a possible target of allocations. */
@Entity({ name: 'known_agencies' })
export class KnownAgency {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ type: 'text' })
  departement: string;

  @Column({ type: 'char', length: 14 })
  siret: string;

  @Column({ name: 'learnt_at', type: 'timestamptz', default: () => 'now()' })
  learntAt: Date;
}
