import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Far beyond any list's end; it keeps the row offset a small integer for the database. */
const MAX_PAGE = 100_000;

/** One page of a list, as every paged route answers. */
export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * `?page=&pageSize=` of a paged list: numbered pages of at most `maxPageSize`
 * rows, 50 unless asked. A list's query extends it: `class ListThingsQuery extends PageQuery(200) { … }`.
 */
export function PageQuery(maxPageSize: number) {
  class Page {
    @ApiPropertyOptional({ default: 1, minimum: 1, maximum: MAX_PAGE })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(MAX_PAGE)
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
