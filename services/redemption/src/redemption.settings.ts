import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';

/** The redemption service's own environment variables (defaults suit production). */
export class RedemptionSettings {
  /** Failed attempts (invalid or unknown codes) allowed per site and client address in the window: one workstation. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  REDEMPTION_MAX_FAILED_ATTEMPTS: number = 10;

  /**
   * Failed attempts allowed per site in the window, whatever the address: a
   * site's other workstations keep some attempts when one has used its own,
   * and a site account used from many addresses still stops here.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  REDEMPTION_MAX_FAILED_ATTEMPTS_PER_SITE: number = 30;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  REDEMPTION_FAILED_ATTEMPTS_WINDOW_SECONDS: number = 600;

  /** Passes expired per transaction by the expiry run. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50_000)
  EXPIRY_BATCH_SIZE: number = 5000;

  /**
   * Batches an expiry run works on at the same time. SKIP LOCKED keeps their
   * passes apart; two keep both of PostgreSQL's cores busy while Node builds
   * the next batch's events.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(8)
  EXPIRY_PARALLEL_BATCHES: number = 2;

  /** Whether this instance runs the hourly expiry (POST /expiry-runs works either way). */
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  EXPIRY_JOB_ENABLED: boolean = true;
}
