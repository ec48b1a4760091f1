import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** The reporting service's own environment variables (defaults suit production). */
export class ReportingSettings {
  /** Rows read per keyset page by the CSV exports: bounds the memory an export holds. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(50_000)
  REPORTING_EXPORT_PAGE_SIZE: number = 2000;
}
