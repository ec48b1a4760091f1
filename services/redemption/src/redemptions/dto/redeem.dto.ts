import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { PageQuery } from '@app/platform';

export class RedeemPassesDto {
  @ApiProperty({
    example: ['K7QM-3XTA-9HWP-2DRC-X'],
    description: '1 to 10 codes as typed or scanned; all are redeemed or none',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  codes: string[];
}

export class CheckPassDto {
  @ApiProperty({ example: 'K7QM-3XTA-9HWP-2DRC-X' })
  @IsString()
  @MaxLength(40)
  code: string;
}

export class CancelRedemptionDto {
  @ApiProperty({ example: 'Pass scanné par erreur' })
  @IsString()
  @Length(1, 500)
  reason: string;
}

export class RedeemedPassView {
  @ApiProperty() passId: string;
  @ApiProperty() amountCents: number;
}

export class RedemptionView {
  @ApiProperty() redemptionId: string;
  @ApiProperty() siteId: string;
  @ApiProperty() redeemedAt: string;
  @ApiProperty() totalCents: number;
  @ApiProperty({ type: [RedeemedPassView] }) passes: RedeemedPassView[];
}

export class CancellationView {
  @ApiProperty() redemptionId: string;
  @ApiProperty() cancelledAt: string;
  @ApiProperty({ type: [String] }) passIds: string[];
}

export class PassCheckView {
  @ApiProperty({ description: 'Whether this site may redeem the pass now' }) usable: boolean;
  @ApiProperty({ required: false, description: 'The refusal reason when not usable' }) code?: string;
  @ApiProperty({ required: false }) message?: string;
  @ApiProperty({ required: false }) amountCents?: number;
  @ApiProperty({ required: false, description: 'Last Paris day the pass can be used' }) usableUntil?: string;
}

export class FailedAttemptsView {
  @ApiProperty() siteId: string;
  @ApiProperty({ description: 'Failed attempts (invalid or unknown codes) in the current window' }) inWindow: number;
  @ApiProperty() windowSeconds: number;
  @ApiProperty({ description: 'Failed attempts allowed to the site in the window, whatever the address' })
  limit: number;
  @ApiProperty({ description: 'Failed attempts allowed in the window from one client address at the site' })
  limitPerAddress: number;
  @ApiProperty() total: number;
  @ApiProperty({ type: Date, nullable: true }) last: Date | null;
}

export class RedemptionHistoryQueryDto extends PageQuery(500) {
  @ApiPropertyOptional({ description: 'Redemptions at or after this instant (ISO 8601); default: 24 hours ago' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Redemptions before this instant (ISO 8601); default: now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class SiteRedemptionView {
  @ApiProperty() redemptionId: string;
  @ApiProperty() redeemedAt: string;
  @ApiProperty() totalCents: number;
  @ApiProperty() passCount: number;
  @ApiProperty({ nullable: true, type: String }) cancelledAt: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Until when the site may still cancel it; null once cancelled or too late',
  })
  cancellableUntil: string | null;
}

export class SiteRedemptionsPage {
  @ApiProperty({ type: [SiteRedemptionView] }) items: SiteRedemptionView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
