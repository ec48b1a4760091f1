import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { IsCalendarDate } from '@app/validation';
import { PageQuery } from '@app/platform';
import { BOOKLET_STATUSES, BookletStatus } from '../booklet.repository';

export class ListBookletsQuery extends PageQuery(200) {
  @ApiPropertyOptional({ example: '2026-01-01', description: 'Issued on or after this Paris date' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'Issued on or before this Paris date' })
  @IsOptional()
  @IsCalendarDate()
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
