import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AgencyKind } from '@app/contracts';

/** An organisation whose counselors hand out booklets. */
@Entity({ name: 'agencies' })
export class Agency {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: AgencyKind;

  @Column({ type: 'text' })
  departement: string;

  @Column({ type: 'char', length: 14, unique: true })
  siret: string;

  @Column({ name: 'registered_by', type: 'text' })
  registeredBy: string;

  @Column({ name: 'registered_at', type: 'timestamptz', default: () => 'now()' })
  registeredAt: Date;
}
