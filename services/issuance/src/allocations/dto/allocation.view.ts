import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class ListAllocationsQuery {
  @ApiPropertyOptional({ description: 'Operator only: one agency’s balances' })
  @IsOptional()
  @IsUUID()
  agencyId?: string;
}

export class AllocationView {
  @ApiProperty() agencyId: string;
  @ApiProperty() programId: string;
  @ApiProperty() programName: string;
  @ApiProperty({ enum: ['open', 'closed'] }) programStatus: string;
  @ApiProperty({ example: '2026-12-31' }) validUntil: string;
  @ApiProperty({ example: 1000 }) faceValueCents: number;
  @ApiProperty({ example: 10 }) bookletSize: number;
  @ApiProperty({ description: 'Everything granted so far, in cents' }) grantedCents: number;
  @ApiProperty({ description: 'What may still be issued, in cents' }) balanceCents: number;
  @ApiProperty({ description: 'Whole booklets the balance still pays for' }) remainingBooklets: number;
}
