import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { SETTLEMENT_PERIOD } from '@app/contracts';

export class StartSettlementRunDto {
  @ApiPropertyOptional({
    example: '2026-10',
    description: 'Calendar month settled (Europe/Paris); the previous month when absent',
  })
  @IsOptional()
  @Matches(SETTLEMENT_PERIOD, { message: 'period doit être un mois au format AAAA-MM' })
  period?: string;
}
