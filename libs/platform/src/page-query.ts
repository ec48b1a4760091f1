import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * `?page=&pageSize=` of a paged list: numbered pages of at most `maxPageSize`
 * rows, 50 unless asked. A list's query extends it: `class ListThingsQuery extends PageQuery(200) { … }`.
 */
export function PageQuery(maxPageSize: number) {
  class Page {
    @ApiPropertyOptional({ default: 1, minimum: 1 })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    page: number = 1;

    @ApiPropertyOptional({ default: 50, minimum: 1, maximum: maxPageSize })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(maxPageSize)
    pageSize: number = 50;
  }
  return Page;
}
