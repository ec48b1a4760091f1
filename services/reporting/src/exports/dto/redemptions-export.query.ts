import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class RedemptionsExportQuery {
  @ApiProperty({ description: 'The program whose redeemed passes are exported', format: 'uuid' })
  @IsUUID()
  programId: string;
}
