import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { VOID_REASONS, VoidReason } from '@app/contracts';

export class RequestVoidDto {
  @ApiProperty({ enum: VOID_REASONS })
  @IsIn(VOID_REASONS)
  reason: VoidReason;

  @ApiPropertyOptional({ maxLength: 500, description: 'No personal data: it travels in the event' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  comment?: string;
}

export class VoidRequestView {
  @ApiProperty() id: string;
  @ApiProperty() passId: string;
  @ApiProperty({ enum: VOID_REASONS }) reason: VoidReason;
  @ApiPropertyOptional({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ enum: ['pending'], description: 'Redemption decides: the pass status changes when it answers' })
  status: string;
  @ApiProperty() requestedBy: string;
  @ApiProperty() requestedAt: Date;
}
