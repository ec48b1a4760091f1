import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FunderKind } from '@app/contracts';

@Entity({ name: 'funders' })
export class Funder {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: FunderKind;

  @Column({ type: 'char', length: 14 })
  siret: string;

  @Column({ name: 'registered_by', type: 'text' })
  registeredBy: string;

  @Column({ name: 'registered_at', type: 'timestamptz', default: () => 'now()' })
  registeredAt: Date;
}
