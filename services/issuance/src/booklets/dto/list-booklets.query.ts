import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { ISO_DATE } from '@app/contracts';
import { PageQuery } from '@app/platform';
import { BOOKLET_STATUSES, BookletStatus } from '../booklet.repository';

export class ListBookletsQuery extends PageQuery(200) {
  @ApiPropertyOptional({ example: '2026-01-01', description: 'Issued on or after this Paris date' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'from doit être une date AAAA-MM-JJ' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'Issued on or before this Paris date' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'to doit être une date AAAA-MM-JJ' })
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  programId?: string;

  @ApiPropertyOptional({ description: 'Operator only (a counselor always sees its own agency)' })
  @IsOptional()
  @IsUUID()
  agencyId?: string;

  @ApiPropertyOptional({ enum: BOOKLET_STATUSES })
  @IsOptional()
  @IsIn(BOOKLET_STATUSES)
  status?: BookletStatus;
}
